package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

func (s *server) healthz(c *fiber.Ctx) error {
	return ok(c, http.StatusOK, fiber.Map{"status": "ok"})
}

// readyz answers 200 when the runtime can take calls: the store answers,
// the bus between instances (if any) is connected, and the default agent
// is ready.
func (s *server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{}
	ready := true
	if err := s.deps.Ready(ctx); err != nil {
		checks["store"] = err.Error()
		ready = false
	} else {
		checks["store"] = "ok"
	}
	if s.deps.Bus != nil {
		if err := s.deps.Bus(); err != nil {
			checks["bus"] = err.Error()
			ready = false
		} else {
			checks["bus"] = "ok"
		}
	}
	if _, err := s.deps.Agents.Get(s.deps.Agents.DefaultName()); err != nil {
		checks["defaultAgent"] = err.Error()
		ready = false
	} else {
		checks["defaultAgent"] = "ok"
	}
	if s.calls.Draining() {
		checks["admission"] = "draining: shutting down, no new calls"
		ready = false
	} else {
		checks["admission"] = "ok"
	}
	if !ready {
		msg := "the runtime cannot take calls yet"
		if s.calls.Draining() {
			msg = "the runtime is shutting down and takes no new calls"
		}
		return c.Status(http.StatusServiceUnavailable).JSON(envelope{
			Data:  fiber.Map{"status": "not ready", "checks": checks},
			Error: &errorBody{Code: "NOT_READY", Message: msg},
		})
	}
	return ok(c, http.StatusOK, fiber.Map{"status": "ready", "checks": checks})
}

func (s *server) listAgents(c *fiber.Ctx) error {
	return ok(c, http.StatusOK, fiber.Map{"agents": s.deps.Agents.List(), "default": s.deps.Agents.DefaultName()})
}

func (s *server) listPlugins(c *fiber.Ctx) error {
	return ok(c, http.StatusOK, fiber.Map{"plugins": s.deps.Plugins.List()})
}

// metrics serves the Prometheus exposition.
func (s *server) metrics(c *fiber.Ctx) error {
	if s.deps.Metrics == nil {
		return fiber.ErrNotFound
	}
	return adaptor.HTTPHandler(s.deps.Metrics)(c)
}
