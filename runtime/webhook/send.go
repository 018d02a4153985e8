package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/runtime/store"
)

const (
	// maxResponse is how much of an endpoint's answer is read (and
	// drained, so the connection can be reused); the rest is dropped.
	maxResponse = 4 << 10
	// maxErrorBody is how much of a refusal's body goes into last error.
	maxErrorBody = 200
	userAgent    = "parley-webhook/1"
)

// send makes one attempt: the signed POST of d's payload, within d's
// timeout. A 2xx answer is success; anything else is an error saying what
// happened.
func (w *Worker) send(ctx context.Context, d *store.Delivery) error {
	secret, ok := w.cfg.Lookup(d.SecretEnv)
	if !ok || secret == "" {
		return fmt.Errorf("signing secret not set: environment variable %s is empty", d.SecretEnv)
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return fmt.Errorf("bad request: %w", err)
	}
	ts := w.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set(HeaderEvent, d.Event)
	req.Header.Set(HeaderEventID, d.EventID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign([]byte(secret), ts, d.Payload))
	req.Header.Set(HeaderAttempt, strconv.Itoa(d.Attempts+1))
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("no answer within %s", d.Timeout)
		}
		return fmt.Errorf("request failed: %s", unwrapURLError(err))
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if b := printable(head); b != "" {
			msg += ": " + b
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// unwrapURLError drops the "Post <url>:" prefix (the URL is shown beside
// the error anyway).
func unwrapURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// printable cuts b to a short single-line text for last error.
func printable(b []byte) string {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	s := strings.ToValidUTF8(string(b), "")
	for !utf8.ValidString(s) && len(s) > 0 {
		s = s[:len(s)-1]
	}
	return strings.Join(strings.Fields(s), " ")
}

// redactURL drops the query of a URL for the log, where tokens often hide.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad url)"
	}
	u.RawQuery, u.User = "", nil
	return u.String()
}
