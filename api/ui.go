package api

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// uiFiles is the dashboard served at /ui: static files only, built on the
// public API (every data call goes to /v1 with the token the user pastes).
//
//go:embed ui
var uiFiles embed.FS

// Headers of the dashboard's answers: its own scripts, styles and API
// only, never framed, nothing sent to other origins.
var (
	hdrUICSP = []string{"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"}
	hdrDeny    = []string{"DENY"}
	hdrNoCache = []string{"no-cache"}
)

// uiTypes are the content types of the dashboard's files, by extension;
// a file with another extension is served as text/plain.
var uiTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
}

// DemoToken is a token the dashboard offers to sign in with, in demo mode.
type DemoToken struct {
	Role  string `json:"role"`
	Token string `json:"token"`
}

// DemoTokens is what the dashboard is told in demo mode: one token per
// role, the demo's example workers (by story) and the first day of its
// data.
type DemoTokens struct {
	Tokens  []DemoToken       `json:"tokens"`
	Workers map[string]string `json:"workers,omitempty"`
	From    string            `json:"from,omitempty"`
}

// handleUI serves the dashboard's files: GET /ui is its page, GET /ui/<f>
// a file of api/ui. GET /ui/demo-tokens.json answers Config.DemoTokens
// (a demo server only; 404 otherwise). An unknown file is 404.
func (s *Server) handleUI() gin.HandlerFunc {
	return func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("file"), "/")
		if name == "" {
			name = "index.html"
		}
		h := c.Writer.Header()
		h["Content-Security-Policy"] = hdrUICSP
		h["X-Frame-Options"] = hdrDeny
		if name == "demo-tokens.json" {
			s.serveDemoTokens(c)
			return
		}
		if !fs.ValidPath(name) {
			writeError(c, errNoRoute)
			return
		}
		b, err := fs.ReadFile(uiFiles, "ui/"+name)
		if err != nil {
			writeError(c, errNoRoute)
			return
		}
		ctype, ok := uiTypes[path.Ext(name)]
		if !ok {
			ctype = "text/plain; charset=utf-8"
		}
		h["Cache-Control"] = hdrNoCache
		c.Data(http.StatusOK, ctype, b)
	}
}

// serveDemoTokens answers the demo tokens, which are secrets: never
// cached, and only on a server that Config.DemoTokens says is a demo.
func (s *Server) serveDemoTokens(c *gin.Context) {
	if s.demoTokens == nil {
		writeError(c, errNoRoute)
		return
	}
	d, err := s.demoTokens()
	if err != nil {
		writeError(c, err)
		return
	}
	c.Writer.Header()["Cache-Control"] = hdrNoStore
	c.JSON(http.StatusOK, d)
}
