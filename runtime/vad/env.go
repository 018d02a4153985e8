package vad

import (
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ortEnv counts the Silero models that use the process-wide ONNX Runtime
// environment. onnxruntime_go keeps the library handle and environment in
// package globals, so there is one per process whatever the number of models.
var ortEnv struct {
	mu    sync.Mutex
	refs  int
	lib   string // the library we loaded; "" if other code loaded it
	owned bool   // we initialised the environment and destroy it when refs drops to 0
}

// acquireEnv loads ONNX Runtime from lib unless it is loaded, and counts a
// user. A failed load leaves nothing behind, so a later call can retry.
func acquireEnv(lib string) error {
	ortEnv.mu.Lock()
	defer ortEnv.mu.Unlock()
	switch {
	case !ort.IsInitialized():
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			return fmt.Errorf("load onnxruntime: %w", err)
		}
		ortEnv.lib, ortEnv.owned = lib, true
	case ortEnv.owned && !sameFile(ortEnv.lib, lib):
		return fmt.Errorf("onnxruntime is already loaded from %s, not %s", ortEnv.lib, lib)
	}
	ortEnv.refs++
	return nil
}

// releaseEnv drops a user and unloads ONNX Runtime after the last one, if
// this package loaded it.
func releaseEnv() error {
	ortEnv.mu.Lock()
	defer ortEnv.mu.Unlock()
	ortEnv.refs--
	if ortEnv.refs > 0 || !ortEnv.owned {
		return nil
	}
	ortEnv.lib, ortEnv.owned = "", false
	if err := ort.DestroyEnvironment(); err != nil {
		return fmt.Errorf("unload onnxruntime: %w", err)
	}
	return nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
