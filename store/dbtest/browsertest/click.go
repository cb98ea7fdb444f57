// Package browsertest holds what the browser tests share with chromedp: a click that does
// not wait for ever on chromium, and a tab that does not report what no test reads. It is
// apart from dbtest so that the test binaries of the packages without a browser do not
// build the browser driver.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// releaseWait is how long Click waits for chromium to say it has handled the button's
// release before going on without its word.
const releaseWait = 15 * time.Second

// Click clicks the middle of the first visible node sel names, as chromedp.Click does: the
// node scrolled into view, the left button pressed and released there. It differs in one
// thing. Chromium answers the release once the page has handled it, and the release of a
// button that submits a form (after the page's confirmation) was once left unanswered for
// minutes while the tab went on sending its events, and the test hung until its deadline.
// Click waits for that answer releaseWait at most, then goes on: what the click was for
// is what the test waits for next, and a click that did nothing still fails it there.
func Click[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return chromedp.QueryAfter(sel, func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		if len(nodes) == 0 {
			return chromedp.Void{}, fmt.Errorf("nothing to click at %v", sel)
		}
		if _, err := cdp.Call(ctx, t, dom.ScrollIntoViewIfNeeded, dom.ScrollIntoViewIfNeededParams{NodeID: nodes[0].NodeID}); err != nil {
			return chromedp.Void{}, err
		}
		q, err := cdp.Call(ctx, t, dom.GetContentQuads, dom.GetContentQuadsParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return chromedp.Void{}, err
		}
		if len(q.Quads) == 0 || len(q.Quads[0]) < 2 || len(q.Quads[0])%2 != 0 {
			return chromedp.Void{}, chromedp.ErrInvalidDimensions
		}
		var x, y float64
		quad := q.Quads[0]
		for i := 0; i < len(quad); i += 2 {
			x, y = x+quad[i], y+quad[i+1]
		}
		p := input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMousePressed,
			X: x / float64(len(quad)/2), Y: y / float64(len(quad)/2), Button: input.MouseButtonLeft, ClickCount: 1}
		if _, err := cdp.Call(ctx, t, input.DispatchMouseEvent, p); err != nil {
			return chromedp.Void{}, err
		}
		p.Type = input.DispatchMouseEventTypeMouseReleased
		released := make(chan error, 1)
		go func() {
			_, err := cdp.Call(ctx, t, input.DispatchMouseEvent, p)
			released <- err
		}()
		select {
		case err := <-released:
			return chromedp.Void{}, err
		case <-time.After(releaseWait):
			fmt.Fprintf(os.Stderr, "dbtest: chromium has not answered the release of a click on %v in %v: going on\n", sel, releaseWait)
			return chromedp.Void{}, nil
		case <-ctx.Done():
			return chromedp.Void{}, errors.Join(ctx.Err(), fmt.Errorf("clicking %v", sel))
		}
	}, chromedp.NodeVisible)
}
