package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/store"
)

type initiateBody struct {
	CallerNumber   *string `json:"callerNumber"`
	ReceiverNumber *string `json:"receiverNumber"`
	Agent          *string `json:"agent"`
	// Variables are values for the agent's declared variables; numbers
	// arrive as json.Number (jsonBody decodes with UseNumber).
	Variables map[string]any `json:"variables"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *server) initiateCall(c *fiber.Ctx) error {
	var body initiateBody
	if err := jsonBody(c, s.cfg.HTTP.BodyLimit, &body); err != nil {
		return err
	}
	if body.ReceiverNumber != nil && *body.ReceiverNumber == "" {
		return newError(http.StatusBadRequest, CodeValidation, "receiverNumber: must not be empty; leave it out for a call answered by an agent")
	}
	req := service.InitiateRequest{
		CallerNumber:   deref(body.CallerNumber),
		ReceiverNumber: deref(body.ReceiverNumber),
		Agent:          deref(body.Agent),
		Variables:      body.Variables,
	}
	if p := principal(c); p.IsToken() {
		// A call token creates one call, to its own agent, with the
		// variables signed into it: they end up in the system prompt, so
		// the token's holder (a browser) must not choose them.
		switch {
		case req.ReceiverNumber != "":
			return newError(http.StatusForbidden, CodeForbidden, "a call token places a call to its agent; receiverNumber needs an API key")
		case req.Agent != "" && req.Agent != p.Token.Agent:
			return newError(http.StatusForbidden, CodeForbidden, fmt.Sprintf("this call token is for agent %q, not %q", p.Token.Agent, clip(req.Agent, 64)))
		case len(body.Variables) > 0:
			return newError(http.StatusForbidden, CodeForbidden, "variables: a call made with a call token takes the variables signed into the token (POST /api/v1/tokens); the request cannot set any")
		}
		req.Agent, req.TokenID, req.Variables = p.Token.Agent, p.Token.ID, p.Token.Variables
	}
	created, err := s.calls.Initiate(c.UserContext(), req)
	if err != nil {
		return err
	}
	dto := toCallDTO(created)
	if req.TokenID != "" {
		// The holder knows what its token carries; the agent's defaults
		// (and anything else set for the call) are the operator's.
		dto.Variables = nil
	}
	return ok(c, http.StatusCreated, callData{Call: dto})
}

func (s *server) getCall(c *fiber.Ctx) error {
	found, err := s.calls.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, callData{Call: toCallDTO(found)})
}

func (s *server) connectCall(c *fiber.Ctx) error {
	updated, err := s.calls.Connect(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, callData{Call: toCallDTO(updated)})
}

func (s *server) endCall(c *fiber.Ctx) error {
	updated, err := s.calls.End(c.UserContext(), c.Params("id"), call.ReasonHangup)
	if err != nil {
		return err
	}
	return ok(c, http.StatusOK, callData{Call: toCallDTO(updated)})
}

type listData struct {
	Calls      []callDTO  `json:"calls"`
	Pagination pagination `json:"pagination"`
}

type pagination struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
}

const defaultPageSize = 20

func (s *server) listCalls(c *fiber.Ctx) error {
	f := store.CallFilter{Agent: c.Query("agent"), Limit: defaultPageSize}
	if v := c.Query("status"); v != "" {
		st, err := call.ParseStatus(v)
		if err != nil {
			return newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("status: %q is not one of INITIATING, RINGING, CONNECTING, IN_PROGRESS, ENDED, FAILED", v))
		}
		f.Status = st
	}
	page, err := queryInt(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	if f.Limit, err = queryInt(c, "limit", defaultPageSize, 1, store.MaxPageSize); err != nil {
		return err
	}
	f.Offset = (page - 1) * f.Limit
	calls, total, err := s.calls.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listData{Calls: make([]callDTO, 0, len(calls)), Pagination: pagination{Page: page, Limit: f.Limit, Total: total}}
	for _, cl := range calls {
		out.Calls = append(out.Calls, toCallDTO(cl))
	}
	return ok(c, http.StatusOK, out)
}

func queryInt(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("%s: must be a whole number from %d to %d, not %q", name, lo, hi, v))
	}
	return n, nil
}

type historyData struct {
	CallID string    `json:"callId"`
	Turns  []turnDTO `json:"turns"`
}

func (s *server) callHistory(c *fiber.Ctx) error {
	found, turns, err := s.calls.History(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	out := historyData{CallID: found.ID, Turns: make([]turnDTO, 0, len(turns))}
	for _, t := range turns {
		out.Turns = append(out.Turns, toTurnDTO(t))
	}
	return ok(c, http.StatusOK, out)
}
