package browsertest

import (
	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Unwatched turns off the tab's CSS and Network domains, which chromedp turns on and which
// then report every style sheet and request to the test: the tests read styles in the
// page, and those that watch the network turn it on themselves. Off, a page load costs
// chromium about a tenth less CPU.
func Unwatched() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, css.Disable, cdp.Empty{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.Disable, cdp.Empty{})
		return err
	})
}
