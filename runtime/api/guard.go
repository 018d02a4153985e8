package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/auth"
)

const principalKey = "parley.principal"

// tokenRoutes are what a call token may do over HTTP: create its one call
// and read the ICE configuration. (Its third right, signaling that call, is
// checked by the signaling server.)
var tokenRoutes = map[string]bool{
	http.MethodPost + " /api/v1/calls":       true,
	http.MethodGet + " /api/v1/calls/config": true,
}

// publicPaths answer without a credential in key mode: probes for load
// balancers and orchestrators. The demo page's files are public too (see
// mountWeb): the page carries no secret, and takes its call token from the
// link it was opened with.
var publicPaths = map[string]bool{
	"/healthz": true,
	"/readyz":  true,
}

// guard enforces key mode: every request outside publicPaths presents an
// API key or a call token as "Authorization: Bearer <credential>"; a call
// token is good only for tokenRoutes. In open mode (no keys) every request
// is a key holder's. The principal is kept for the handlers (principal).
func guard(g *auth.Guard, isPublic func(*fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !g.KeyMode() {
			c.Locals(principalKey, auth.Principal{Key: true})
			return c.Next()
		}
		if publicPaths[c.Path()] || isPublic(c) {
			return c.Next()
		}
		cred, found := auth.Bearer(c.Get(fiber.HeaderAuthorization))
		if !found {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="parley"`)
			return newError(http.StatusUnauthorized, CodeUnauthorized, "this runtime needs an API key: send Authorization: Bearer <key>")
		}
		p, err := g.Identify(cred)
		if err != nil {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="parley", error="invalid_token"`)
			msg := "the API key or call token is not valid"
			if errors.Is(err, auth.ErrExpired) {
				msg = "the call token has expired; ask for a new one"
			}
			return newError(http.StatusUnauthorized, CodeUnauthorized, msg)
		}
		if p.IsToken() && !tokenRoutes[c.Method()+" "+strings.TrimSuffix(c.Path(), "/")] {
			return newError(http.StatusForbidden, CodeForbidden, "a call token may only create its call and read /api/v1/calls/config; this needs an API key")
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
}

// principal returns who made the request (set by guard).
func principal(c *fiber.Ctx) auth.Principal {
	p, _ := c.Locals(principalKey).(auth.Principal)
	return p
}
