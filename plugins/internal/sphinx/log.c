#include <stdarg.h>
#include <stdio.h>
#include <sphinxbase/err.h>
#include "_cgo_export.h"

// parley_sphinx_log receives every sphinxbase log line. INFO and DEBUG are
// very chatty (every model load prints its whole configuration) and are
// dropped here, before they cross into Go; warnings and errors are
// formatted and handed to Go.
static void parley_sphinx_log(void *user_data, err_lvl_t lvl, const char *fmt, ...) {
	char buf[1024];
	va_list ap;
	(void)user_data;
	if (lvl < ERR_WARN) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	goSphinxLog((int)lvl, buf);
}

// parley_sphinx_route_log installs parley_sphinx_log, and turns off the log
// file, to which pocketsphinx also dumps its whole configuration directly.
void parley_sphinx_route_log(void) {
	err_set_callback(parley_sphinx_log, NULL);
	err_set_logfp(NULL);
}
