package metrics

import (
	"path"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// Kinds of plugin error: the values of the kind label of
// parley_plugin_errors_total. They follow the sentinels of package provider.
const (
	KindUnavailable    = "unavailable"     // provider.ErrUnavailable: plugin down, upstream down
	KindTimeout        = "timeout"         // provider.ErrTimeout, a deadline exceeded
	KindInvalidInput   = "invalid_input"   // provider.ErrInvalidInput
	KindInvalidOptions = "invalid_options" // provider.ErrInvalidOptions
	KindUnauthorized   = "unauthorized"    // provider.ErrUnauthorized
	KindRateLimited    = "rate_limited"    // provider.ErrRateLimited
	KindUnsupported    = "unsupported"     // provider.ErrUnsupported
	KindBadResponse    = "bad_response"    // host.ErrBadResponse: the plugin broke its contract
	KindInternal       = "internal"        // provider.ErrInternal: the plugin panicked on the request
	KindOther          = "other"           // anything else
)

// kinds lists every kind; a plugin's error counters are kept in this order.
var kinds = [...]string{
	KindUnavailable, KindTimeout, KindInvalidInput, KindInvalidOptions,
	KindUnauthorized, KindRateLimited, KindUnsupported, KindBadResponse, KindInternal, KindOther,
}

// kindIndex returns the index of kind in kinds; an unknown kind is "other".
func kindIndex(kind string) int {
	for i, k := range kinds {
		if k == kind {
			return i
		}
	}
	return len(kinds) - 1
}

// pluginSeries holds the collectors of one plugin.
type pluginSeries struct {
	restarts prometheus.Counter
	errors   [len(kinds)]prometheus.Counter
}

// pluginName is the name of a plugin reference as the host names it: a
// built-in's name, or the file name of a plugin given by path
// ("./plugins/acme-stt" is "acme-stt").
func pluginName(ref string) string {
	if strings.ContainsRune(ref, '/') {
		return path.Base(ref)
	}
	return ref
}

func (m *Metrics) newPluginSeries(plugin string) *pluginSeries {
	l := m.pluginNames.clamp(pluginName(plugin))
	s := &pluginSeries{restarts: m.pluginRestarts.WithLabelValues(l)}
	for i, k := range kinds {
		s.errors[i] = m.pluginErrors.WithLabelValues(l, k)
	}
	return s
}

// PluginError records that plugin returned an error of kind, one of the
// Kind constants (anything else counts as KindOther). A call cancelled by
// its caller is not a plugin error and should not be recorded.
func (m *Metrics) PluginError(plugin, kind string) {
	if m == nil {
		return
	}
	m.plugins.get(plugin).errors[kindIndex(kind)].Inc()
}

// PluginRestarted records that the host restarted plugin's process after it
// exited, failed to start or stopped answering health checks.
func (m *Metrics) PluginRestarted(plugin string) {
	if m == nil {
		return
	}
	m.plugins.get(plugin).restarts.Inc()
}
