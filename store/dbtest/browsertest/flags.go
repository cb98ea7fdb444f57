package browsertest

import "github.com/chromedp/chromedp"

// SameFrameHost starts chromium keeping a frame's host object across the frame's
// navigations, as chromium did before it made one per document (RenderDocument): a new
// one a navigation cost 35–40 ms of CPU on a same-site page, and the tests navigate by the
// hundred. What a page sees does not change: its document, scripts and storage are new
// either way. It replaces chromedp's own list of features turned off, which it repeats.
var SameFrameHost = chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,RenderDocument")
