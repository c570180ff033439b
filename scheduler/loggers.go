package scheduler

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// RootLogger is the name of the logger every other one inherits from, as in log4j.
const RootLogger = "root"

// kafkaLevels maps Kafka Connect's (log4j) level names onto slog levels.
var kafkaLevels = []struct {
	name  string
	level slog.Level
}{
	{"OFF", slog.Level(1 << 20)},
	{"FATAL", slog.LevelError + 4},
	{"ERROR", slog.LevelError},
	{"WARN", slog.LevelWarn},
	{"INFO", slog.LevelInfo},
	{"DEBUG", slog.LevelDebug},
	{"TRACE", slog.LevelDebug - 4},
	{"ALL", slog.Level(-1 << 20)},
}

// ParseLevel reads a Kafka Connect level name (OFF, FATAL, ERROR, WARN, INFO,
// DEBUG, TRACE, ALL; any case) as an slog level.
func ParseLevel(name string) (slog.Level, bool) {
	for _, l := range kafkaLevels {
		if strings.EqualFold(l.name, strings.TrimSpace(name)) {
			return l.level, true
		}
	}
	return 0, false
}

// LevelName is the Kafka Connect name of an slog level: the most verbose
// named level that still shows lvl (slog's Debug is DEBUG, Info is INFO, ...).
func LevelName(lvl slog.Level) string {
	for _, l := range kafkaLevels {
		if lvl >= l.level {
			return l.name
		}
	}
	return "ALL"
}

// Loggers holds one slog.LevelVar per logger name (Kafka Connect's logger
// namespaces, e.g. com.ferryhq.ferry.scheduler) and serves /admin/loggers.
// A logger without a level of its own follows its nearest dotted ancestor,
// and finally root.
type Loggers struct {
	mu     sync.RWMutex
	levels map[string]*loggerLevel
}

type loggerLevel struct {
	v        slog.LevelVar
	own      bool  // set on this logger, not inherited
	modified int64 // epoch ms of the last change through the API; 0 = never
}

// NewLoggers returns loggers whose root level is root (INFO when nil).
func NewLoggers(root *slog.Level) *Loggers {
	l := &Loggers{levels: map[string]*loggerLevel{}}
	r := &loggerLevel{own: true}
	if root != nil {
		r.v.Set(*root)
	}
	l.levels[RootLogger] = r
	return l
}

// Handler returns base filtered by the level of the logger name; base itself
// should let every level through. The name becomes a known logger.
func (l *Loggers) Handler(name string, base slog.Handler) slog.Handler {
	l.mu.Lock()
	if _, ok := l.levels[name]; !ok {
		l.levels[name] = &loggerLevel{}
	}
	l.mu.Unlock()
	return &levelHandler{Handler: base, loggers: l, name: name}
}

// Logger is slog.New(l.Handler(name, base)).
func (l *Loggers) Logger(name string, base slog.Handler) *slog.Logger {
	return slog.New(l.Handler(name, base))
}

// Level is the effective level of a logger.
func (l *Loggers) Level(name string) slog.Level {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.effective(name).v.Level()
}

// effective finds the entry deciding name's level; l.mu must be held.
func (l *Loggers) effective(name string) *loggerLevel {
	for n := name; n != ""; {
		if e, ok := l.levels[n]; ok && e.own {
			return e
		}
		i := strings.LastIndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[:i]
	}
	return l.levels[RootLogger]
}

// LoggerLevel is Kafka Connect's LoggerLevel body.
type LoggerLevel struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}

// Get returns a known logger's level.
func (l *Loggers) Get(name string) (LoggerLevel, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	e, ok := l.levels[name]
	if !ok {
		return LoggerLevel{}, false
	}
	return l.render(name, e), true
}

func (l *Loggers) render(name string, e *loggerLevel) LoggerLevel {
	out := LoggerLevel{Level: LevelName(l.effective(name).v.Level())}
	if e.modified != 0 {
		m := e.modified
		out.LastModified = &m
	}
	return out
}

// All returns every known logger's level.
func (l *Loggers) All() map[string]LoggerLevel {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string]LoggerLevel, len(l.levels))
	for n, e := range l.levels {
		out[n] = l.render(n, e)
	}
	return out
}

// Set gives namespace and every known logger below it the level, as Kafka
// Connect's worker-scoped PUT /admin/loggers/{namespace} does, and returns
// the affected logger names, sorted. root affects every logger.
func (l *Loggers) Set(namespace string, lvl slog.Level, now time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.levels[namespace]; !ok {
		l.levels[namespace] = &loggerLevel{}
	}
	var affected []string
	for n, e := range l.levels {
		if n == namespace || namespace == RootLogger || strings.HasPrefix(n, namespace+".") {
			e.v.Set(lvl)
			e.own, e.modified = true, now.UnixMilli()
			affected = append(affected, n)
		}
	}
	slices.Sort(affected)
	return affected
}

// Names lists the known loggers, sorted.
func (l *Loggers) Names() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return slices.Sorted(maps.Keys(l.levels))
}

// levelHandler lets a record through when its logger's level allows it.
type levelHandler struct {
	slog.Handler
	loggers *Loggers
	name    string
}

func (h *levelHandler) Enabled(ctx context.Context, lvl slog.Level) bool {
	return lvl >= h.loggers.Level(h.name) && h.Handler.Enabled(ctx, lvl)
}

func (h *levelHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &levelHandler{Handler: h.Handler.WithAttrs(as), loggers: h.loggers, name: h.name}
}

func (h *levelHandler) WithGroup(g string) slog.Handler {
	return &levelHandler{Handler: h.Handler.WithGroup(g), loggers: h.loggers, name: h.name}
}
