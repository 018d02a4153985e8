package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/service"
)

type tokenBody struct {
	Agent      *string `json:"agent"`
	TTLSeconds *int    `json:"ttlSeconds"`
	// Variables are signed into the token: the call it creates takes them.
	Variables map[string]any `json:"variables"`
}

type tokenDTO struct {
	Token     string `json:"token"`
	Agent     string `json:"agent"`
	ExpiresAt string `json:"expiresAt"`
	// Link opens the demo page with the token, for a browser to place the
	// call.
	Link string `json:"link"`
}

type tokenData struct {
	Token tokenDTO `json:"token"`
}

// mintToken is POST /api/v1/tokens: a key holder asks for a call token for
// one agent (default: the default agent), to hand to a browser.
func (s *server) mintToken(c *fiber.Ctx) error {
	if s.deps.Guard == nil || s.deps.Guard.Signer() == nil {
		return newError(http.StatusNotImplemented, CodeInternal, "call tokens are not configured on this runtime")
	}
	var body tokenBody
	if err := jsonBody(c, s.cfg.HTTP.BodyLimit, &body); err != nil {
		return err
	}
	name := deref(body.Agent)
	if name == "" {
		name = s.deps.Agents.DefaultName()
	}
	spec, err := s.deps.Agents.Get(name)
	if err != nil {
		if errors.Is(err, agent.ErrNotFound) {
			return newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("agent: no agent named %q; GET /api/v1/agents lists them", clip(name, 64)))
		}
		return err
	}
	// Checked now, so a bad link fails here rather than in the browser;
	// the call checks them again against the agent it finds then.
	values, err := service.BindVariables(spec, body.Variables)
	if err != nil {
		return err
	}
	signed := make(map[string]any, len(body.Variables))
	for k := range body.Variables {
		signed[k] = values[k]
	}
	ttl := auth.MaxTTL
	if body.TTLSeconds != nil {
		ttl = time.Duration(*body.TTLSeconds) * time.Second
		if ttl <= 0 || ttl > auth.MaxTTL {
			return newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("ttlSeconds: must be between 1 and %d", int(auth.MaxTTL.Seconds())))
		}
	}
	tok, claims, err := s.deps.Guard.Signer().Mint(name, ttl, auth.WithVariables(signed))
	if errors.Is(err, auth.ErrTokenVariables) {
		return newError(http.StatusBadRequest, CodeValidation, "variables: "+err.Error())
	}
	if err != nil {
		return fmt.Errorf("mint call token: %w", err)
	}
	s.log.InfoContext(c.UserContext(), "call token minted", "agent", name, "token_id", claims.ID, "expires", claims.ExpiresAt)
	return ok(c, http.StatusCreated, tokenData{Token: tokenDTO{
		Token:     tok,
		Agent:     name,
		ExpiresAt: claims.ExpiresAt.Format(time.RFC3339),
		Link:      fmt.Sprintf("%s://%s/#token=%s", c.Protocol(), c.Hostname(), tok),
	}})
}
