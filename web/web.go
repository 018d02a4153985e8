// Package web is the demo page: a caller picks an agent, presses Call and
// talks to it over WebRTC, watching the live transcript, the agent's reply,
// sentiment and latency. Plain HTML, CSS and JavaScript with no build step;
// socket.io-client comes from the runtime (/socket.io/socket.io.js), so the
// page needs nothing from another host. The runtime serves FS at /
// (runtime/api, Deps.Web).
package web

import "embed"

// FS holds the page: index.html and the files it loads.
//
//go:embed index.html app.js style.css
var FS embed.FS
