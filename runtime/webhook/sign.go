package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// The headers of a delivery.
const (
	HeaderEvent     = "X-Parley-Event"
	HeaderEventID   = "X-Parley-Event-Id"
	HeaderTimestamp = "X-Parley-Timestamp"
	HeaderSignature = "X-Parley-Signature"
	HeaderAttempt   = "X-Parley-Attempt"
)

// Sign returns the X-Parley-Signature value of body sent at unix time ts:
// "v1=" and the hex HMAC-SHA256 under secret of the timestamp's decimal
// digits, a '.', and the body.
func Sign(secret []byte, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}
