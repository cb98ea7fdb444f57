package browsertest

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/chromedp/chromedp"

	"minyi/store/dbtest"
)

// sameFrameHost starts chromium keeping a frame's host object across the frame's
// navigations, as chromium did before it made one per document (RenderDocument): a new
// one a navigation cost 35–40 ms of CPU on a same-site page, and the tests navigate by the
// hundred. What a page sees does not change: its document, scripts and storage are new
// either way. It replaces chromedp's own list of features turned off, which it repeats.
var sameFrameHost = chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,RenderDocument")

// Shared is one chromium for a test binary's browser tests: starting a browser costs more
// CPU than most of a test's pages, and the tests run side by side. Each test opens its tabs
// in browser contexts of their own (as private windows), so cookies, storage and the cache
// are not shared between tests.
type Shared struct {
	once sync.Once
	ctx  context.Context // the browser's first tab; its children are new tabs
	err  error
	stop func()
}

// Start starts Debian's chromium headless on first use, set to Chinese as the meetings'
// browsers are (pages follow Accept-Language), and gives the browser's first tab. It is installed by `make test`; without it the browser
// tests fail rather than skip, so CI never passes without them.
func (s *Shared) Start() (context.Context, error) {
	s.once.Do(func() {
		path, err := dbtest.Chromium()
		if err != nil {
			s.err = err
			return
		}
		dir, err := os.MkdirTemp(dbtest.TempDir(), "minyi-chromium-")
		if err != nil {
			s.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			sameFrameHost, chromedp.UserDataDir(dir),
			chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
		actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancel2 := chromedp.NewContext(actx)
		s.ctx = bctx
		s.stop = func() { cancel2(); cancel(); os.RemoveAll(dir) }
		if err := chromedp.Do(bctx); err != nil {
			s.err = fmt.Errorf("start chromium: %v", err)
		}
	})
	return s.ctx, s.err
}

// Stop ends the browser, if a test started it.
func (s *Shared) Stop() {
	if s.stop != nil {
		s.stop()
	}
}
