//go:build integration

package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestConsoleInBrowser drives the web console (/ui) in headless Chromium
// against ferry standalone on the real Kafka, behind basic authentication:
// it creates a datagen -> file pipeline through the "new connector" form
// (with live validation of a bad value first), watches the record counts
// rise, pauses the source, breaks a sink and reads its FAILED trace,
// restarts it once fixed, and deletes it through the confirmation dialog.
// Screenshots of each step go to $FERRY_TEST_ARTIFACTS/console (default: a
// directory under the system temp dir, logged).
func TestConsoleInBrowser(t *testing.T) {
	svc := needServices(t)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials.properties")
	if err := os.WriteFile(creds, []byte("admin: console-pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	start(t, []string{"FERRY_DATA_DIR=" + filepath.Join(dir, "data"), "FERRY_BOOTSTRAP_SERVERS=" + svc.kafka,
		"FERRY_LISTENERS=" + base, "FERRY_REST_BASIC_AUTH_FILE=" + creds, "FERRY_MAX_RECORDS=2000"}, "standalone")
	waitFor(t, 60*time.Second, "the console to answer 401 without credentials", func() bool {
		resp, err := http.Get(base + "/ui/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusUnauthorized
	})

	b := newBrowser(t, base, "admin", "console-pass")
	topic := uniqueName("console")
	missing := filepath.Join(dir, "missing")
	b.run("open the console", chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#summary`)), b.poll(`document.querySelector('#empty') && !document.querySelector('#empty').hidden`))

	// The form: a bad value gets its error under its field, live.
	b.choosePlugin("io.confluent.kafka.connect.datagen.DatagenConnector")
	b.run("type a bad tasks.max", chromedp.SendKeys(chromedp.CSS(`input[name="tasks.max"]`), "many"),
		b.poll(`document.querySelector('.field[data-key="tasks.max"] .errors li') !== null`))
	b.shot("1-form-validation")
	b.run("fix tasks.max", chromedp.SendKeys(chromedp.CSS(`input[name="tasks.max"]`), kb.End+kb.Backspace+kb.Backspace+kb.Backspace+kb.Backspace+"1"),
		b.poll(`document.querySelector('.field[data-key="tasks.max"] .errors li') === null`))
	b.fill(map[string]string{"name": "gen", "kafka.topic": topic, "quickstart": "users", "max.interval": "5"})
	b.create("gen")
	b.choosePlugin("org.apache.kafka.connect.file.FileStreamSinkConnector")
	b.fill(map[string]string{"name": "out", "topics": topic, "file": filepath.Join(dir, "out.txt")})
	b.create("out")

	// Records flow: the sink's count rises between two polls of the page.
	first := b.written("out")
	b.run("the sink's count to rise", b.poll(fmt.Sprintf(`Number(document.querySelector('%s')?.dataset.written) > %d`, writtenCell("out"), first)))
	b.run("open gen's configuration", chromedp.Click(chromedp.CSS(`article[data-connector="gen"] details.config summary`)),
		chromedp.WaitVisible(chromedp.CSS(`article[data-connector="gen"] td[data-key="kafka.topic"]`)))
	b.shot("2-running")

	b.run("pause gen", chromedp.Click(chromedp.CSS(`article[data-connector="gen"] button[data-action="pause"]`)),
		b.poll(`document.querySelector('article[data-connector="gen"] .head [data-state="PAUSED"]') !== null`),
		chromedp.WaitVisible(chromedp.CSS(`article[data-connector="gen"] button[data-action="resume"]`)))
	b.shot("3-paused")

	// A broken connector: its task FAILS with a trace; fixed, a restart runs it.
	b.choosePlugin("org.apache.kafka.connect.file.FileStreamSinkConnector")
	b.fill(map[string]string{"name": "broken", "topics": topic, "file": filepath.Join(missing, "out.txt")})
	b.create("broken")
	b.run("broken's FAILED trace", b.poll(`(document.querySelector('article[data-connector="broken"] [data-trace]')?.textContent || '').includes('no such file or directory')`),
		b.poll(`document.querySelector('article[data-connector="broken"] tr [data-state="FAILED"]') !== null`))
	b.shot("4-failed")
	if err := os.Mkdir(missing, 0o755); err != nil {
		t.Fatal(err)
	}
	b.run("restart broken", chromedp.Click(chromedp.CSS(`article[data-connector="broken"] button[data-action="restart"]`)),
		b.poll(`document.querySelector('article[data-connector="broken"] tr [data-state="RUNNING"]') !== null`),
		b.poll(`document.querySelector('article[data-connector="broken"] [data-trace]') === null`))
	b.shot("5-restarted")

	b.run("ask to delete broken", chromedp.Click(chromedp.CSS(`article[data-connector="broken"] button[data-action="delete"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm[open]`)))
	b.shot("6-confirm-delete")
	b.run("delete broken", chromedp.Click(chromedp.CSS(`#confirm-ok`)),
		b.poll(`document.querySelector('article[data-connector="broken"]') === null`))
	b.noProblems()
	if lines, _ := lineCounts(filepath.Join(dir, "out.txt")); lines == 0 {
		t.Errorf("the console showed records moving but %s is empty", filepath.Join(dir, "out.txt"))
	}
}

// browser is one headless Chromium tab on the console.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots string

	mu       sync.Mutex
	problems []string // console errors (CSP violations, failed loads) and uncaught exceptions
}

// newBrowser starts Chromium (CHROMIUM_BIN, else /usr/bin/chromium) with
// basic-auth credentials sent on every request, for the test's lifetime.
func newBrowser(t *testing.T, base, user, pass string) *browser {
	bin := os.Getenv("CHROMIUM_BIN")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no Chromium at %s: run `localstack/up chromium` (it installs Debian's chromium and prints CHROMIUM_BIN)", bin)
	}
	shots := os.Getenv("FERRY_TEST_ARTIFACTS")
	if shots == "" {
		shots = os.TempDir()
	}
	shots = filepath.Join(shots, "ferry-console")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("console screenshots in %s", shots)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, shots: shots}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(b.listen))
	b.ctx = ctx
	t.Cleanup(func() { cancel(); cancelAlloc() })
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	// The first call starts the browser: it runs on b.ctx itself, since a
	// timeout on it would stop the browser when it expires.
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}})
		return err
	}))
	if err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return b
}

// listen records what the page reports as wrong: console errors (a CSP
// violation, a failed request) and uncaught exceptions.
func (b *browser) listen(ev any) {
	var problem string
	switch e := ev.(type) {
	case *log.EventEntryAdded:
		if e.Entry.Level == log.EntryLevelError {
			problem = fmt.Sprintf("console %s: %s (%s)", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	case *runtime.EventExceptionThrown:
		problem = "uncaught: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			problem += " " + e.ExceptionDetails.Exception.Description
		}
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

// noProblems fails the test if the page reported any error so far.
func (b *browser) noProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("the page reported: %s", p)
	}
}

// run performs actions, failing the test (with a screenshot) after 30 s.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// poll waits until the JavaScript expression is true on the page.
func (b *browser) poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))
}

// shot saves a full-page PNG screenshot under name.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// choosePlugin opens the form and picks a connector plugin.
func (b *browser) choosePlugin(class string) {
	b.t.Helper()
	opt := fmt.Sprintf(`#plugin option[value=%q]`, class)
	b.run("choose "+class, chromedp.Click(chromedp.CSS(`#new-connector`)), chromedp.WaitReady(chromedp.CSS(opt)),
		chromedp.SetValue(chromedp.CSS(`#plugin`), class),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#plugin').dispatchEvent(new Event('change'))`),
		chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)))
}

// fill types each value into the form's field of that key.
func (b *browser) fill(values map[string]string) {
	b.t.Helper()
	for k, v := range values {
		b.run("type "+k, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`#fields [name=%q]`, k)), v))
	}
}

// create submits the form once validation passed and waits for the card.
func (b *browser) create(name string) {
	b.t.Helper()
	b.run("create "+name, b.poll(`document.querySelector('#validation').textContent.startsWith('Valid')`),
		chromedp.Click(chromedp.CSS(`#create-submit`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`article[data-connector=%q]`, name))))
}

func writtenCell(connector string) string {
	return fmt.Sprintf(`article[data-connector="%s"] td[data-written]`, connector)
}

// written waits for the task's shown record count to be positive and returns it.
func (b *browser) written(connector string) int {
	b.t.Helper()
	b.run(connector+"'s first records", b.poll(fmt.Sprintf(`Number(document.querySelector('%s')?.dataset.written) > 0`, writtenCell(connector))))
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`Number(document.querySelector('%s').dataset.written)`, writtenCell(connector))))
	if err != nil {
		b.t.Fatalf("reading %s's record count: %v", connector, err)
	}
	return n
}
