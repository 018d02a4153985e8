package provider

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// panicLog is where a plugin logs the panics it contains: the logger Serve
// made, or hclog's default before that.
var panicLog atomic.Pointer[hclog.Logger]

func logPanic(where string, v any, stack []byte) {
	log := hclog.Default()
	if l := panicLog.Load(); l != nil {
		log = *l
	}
	log.Error("panic contained: the request failed, the plugin goes on", "in", where, "panic", fmt.Sprint(v), "stack", string(stack))
}

// contained runs f and turns a panic in it into an error wrapping
// ErrInternal, logged with its stack. It guards the goroutines a plugin's
// requests start (stream producers, the STT stream's two loops), where a
// panic would otherwise end the whole plugin process.
func contained(where string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(where, v, debug.Stack())
			err = fmt.Errorf("%w: %s panicked: %v", ErrInternal, where, v)
		}
	}()
	return f()
}

// panicStatus is the gRPC error a contained panic becomes.
func panicStatus(method string, v any) error {
	return status.Errorf(codes.Internal, "%s: %s panicked: %v", ErrInternal, method, v)
}

// recoverUnary is a gRPC interceptor that turns a panic in a unary method
// into an Internal error for that request.
func recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(info.FullMethod, v, debug.Stack())
			resp, err = nil, panicStatus(info.FullMethod, v)
		}
	}()
	return handler(ctx, req)
}

// recoverStream is recoverUnary for streaming methods.
func recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			logPanic(info.FullMethod, v, debug.Stack())
			err = panicStatus(info.FullMethod, v)
		}
	}()
	return handler(srv, ss)
}

// newGRPCServer is the plugin's gRPC server: go-plugin's options plus the
// recovery interceptors, so a panic in one provider method fails that
// request and the plugin stays up for the others.
func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.ChainUnaryInterceptor(recoverUnary), grpc.ChainStreamInterceptor(recoverStream))
	return grpc.NewServer(opts...)
}
