package signaling

import (
	"encoding/json"
	"net/http"
	"strings"
)

// WithAllowedOrigins makes Engine.IO refuse, with 403, requests (websocket
// upgrades and polling) whose Origin header is present and not one of
// origins (scheme://host[:port], compared without regard to case). A
// request without Origin (not a browser) passes. Empty, or "*" among
// origins, allows every origin (the default).
func WithAllowedOrigins(origins []string) Option {
	return func(o *options) {
		o.origins = nil
		for _, org := range origins {
			org = strings.TrimRight(strings.TrimSpace(org), "/")
			if org == "*" {
				o.origins = nil
				return
			}
			if org != "" {
				o.origins = append(o.origins, strings.ToLower(org))
			}
		}
	}
}

// originAllowed reports whether a request with Origin header origin may
// use Engine.IO.
func (s *Server) originAllowed(origin string) bool {
	if len(s.opts.origins) == 0 || origin == "" {
		return true
	}
	origin = strings.ToLower(origin)
	for _, o := range s.opts.origins {
		if o == origin {
			return true
		}
	}
	return false
}

// refuseOrigin answers a request from a browser page on another origin.
func refuseOrigin(w http.ResponseWriter, origin string) {
	if len(origin) > 200 {
		origin = origin[:200] + "..."
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"success": false,
		"error": map[string]any{
			"code":    "ORIGIN_NOT_ALLOWED",
			"message": "signaling from origin " + origin + " is not allowed (CORS_ORIGIN)",
		},
	})
}

// corsOrigins is CORS_ORIGIN as Engine.IO's Cors wants it: "*" as is, a
// list as a slice (given as one string, Engine.IO would compare each
// origin with the whole list and refuse every websocket upgrade).
func corsOrigins(v string) any {
	if !strings.Contains(v, ",") {
		return strings.TrimSpace(v)
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		if o = strings.TrimSpace(o); o == "*" {
			return "*"
		} else if o != "" {
			out = append(out, o)
		}
	}
	return out
}
