package server

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"minyi/frontend"
	"minyi/i18n"
)

// Routes is the route table, in the order routes are matched (/polls/new before
// /polls/:id). App registers these and nothing else.
func (s *Server) Routes() []Route {
	var rs []Route
	add := func(api bool, method, path string, a Access, sc Scope, h fiber.Handler, act ...string) {
		r := Route{Method: method, Path: path, Access: a, Scope: sc, API: api, handler: h}
		if api {
			r.Path = "/api/v1" + path
		}
		if len(act) > 0 {
			r.act = act[0]
		}
		rs = append(rs, r)
	}
	page := func(method, path string, a Access, sc Scope, h fiber.Handler, act ...string) {
		add(false, method, path, a, sc, h, act...)
	}
	api := func(method, path string, a Access, sc Scope, h fiber.Handler, act ...string) {
		add(true, method, path, a, sc, h, act...)
	}
	const get, post, del = fiber.MethodGet, fiber.MethodPost, fiber.MethodDelete

	// Only the stylesheets and scripts are compressed: they carry no secret, where a page
	// compressed beside a CSRF token or a ballot token would leak it by its length (BREACH).
	compressed := compress.New(compress.Config{Level: compress.LevelBestSpeed})
	rs = append(rs,
		Route{Method: get, Path: "/static/" + frontend.VendorDir + "/*", Access: Public, use: compressed, handler: s.vendor},
		Route{Method: get, Path: "/static/*", Access: Public, use: compressed, handler: s.static})
	page(get, "/healthz", Public, Unscoped, s.healthz)

	// Voters: no session, no cookie but the language they may choose; the token in the URL is the capability.
	page(get, "/v", Public, Unscoped, s.codePage)
	page(post, "/v", Public, Unscoped, s.codeSubmit)
	page(get, "/v/:token", VoterLink, Unscoped, s.ballotPage)
	page(post, "/v/:token", VoterLink, Unscoped, s.ballotSubmit)

	// Tellers: the seat token in the URL is the capability, as a voter's token is.
	page(get, "/t/:token", TellerLink, Unscoped, s.tellerPage)
	page(get, "/t/:token/state", TellerLink, Unscoped, s.tellerState)
	page(post, "/t/:token/key", TellerLink, Unscoped, s.tellerRound(roundKey))
	page(post, "/t/:token/deal", TellerLink, Unscoped, s.tellerRound(roundDeal))
	page(post, "/t/:token/complain", TellerLink, Unscoped, s.tellerRound(roundComplain))
	page(post, "/t/:token/ready", TellerLink, Unscoped, s.tellerRound(roundReady))
	page(get, "/t/:token/count", TellerLink, Unscoped, s.tellerCountState)
	page(post, "/t/:token/partial", TellerLink, Unscoped, s.tellerPartial)

	page(get, "/receipt", Public, Unscoped, s.receiptPage)
	page(get, "/about", Public, Unscoped, s.aboutPage)
	page(get, "/lang/:lang", Public, Unscoped, s.switchLang) // the language switch of every page
	page(get, "/verify", Public, Unscoped, s.verifyPage)
	page(post, "/verify", Public, Unscoped, s.verifyPage)

	// The big screen: a read-only link, turnout only.
	page(get, "/screen/:key", Public, Unscoped, s.screenPage)
	page(get, "/screen/:key/live", Public, Unscoped, s.screenLive)
	page(get, "/screen/:key/turnout", Public, Unscoped, s.screenJSON)

	// Staff pages.
	page(get, "/login", Public, Unscoped, s.loginPage)
	page(post, "/login", Public, Unscoped, s.loginSubmit)
	page(post, "/logout", Staff, Unscoped, s.logout)
	page(get, "/", Staff, Unscoped, s.pollsPage)
	page(get, "/polls/new", Organizer, Unscoped, s.pollNewPage, i18n.N("新建投票活动"))
	page(post, "/polls", Organizer, Unscoped, s.pollCreate, i18n.N("新建投票活动"))
	page(get, "/samples/:list", Staff, Unscoped, s.sampleSheet)
	page(get, "/polls/:id", Staff, OnPoll, s.pollPage)
	page(get, "/polls/:id/preview", Staff, OnPoll, s.pollPreview)
	page(get, "/polls/:id/live", Staff, OnPoll, s.pollLive)
	page(post, "/polls/:id/screen", Organizer, OnPoll, s.pollScreen)
	page(post, "/polls/:id/open", Organizer, OnPoll, s.pollOpen)
	page(post, "/polls/:id/ceremony", Organizer, OnPoll, s.ceremonyStart)
	page(get, "/polls/:id/ceremony", Staff, OnPoll, s.ceremonyStatus)
	page(get, "/polls/:id/count", Counter, OnPoll, s.countPage, i18n.N("开箱计票"))
	page(post, "/polls/:id/close", Organizer, OnPoll, s.onPage(s.closePoll, i18n.N("投票已结束，不再接受选票。可以开箱计票。")))
	page(post, "/polls/:id/count", Counter, OnPoll, s.pollCount, i18n.N("计票"))
	page(get, "/polls/:id/count/status", Staff, OnPoll, s.countStatusHandler)
	page(post, "/polls/:id/delete", Organizer, OnPoll, s.pollDelete)
	page(post, "/polls/:id/rehearsal", Organizer, OnPoll, s.onPage(s.startRehearsal, i18n.N("已进入模拟测评。请生成测试凭证，开始投票演练；演练结束后清除模拟数据，再进行正式投票。")))
	page(post, "/polls/:id/rehearsal/wipe", Organizer, OnPoll, s.onPage(s.wipeRehearsal, i18n.N("模拟数据已全部清除（测试凭证、测试选票和模拟结果），投票活动回到未开始状态，可以进行正式投票。")))
	page(post, "/polls/:id/tokens", Organizer, OnPoll, s.tokensIssue)
	page(post, "/polls/:id/codes", Organizer, OnPoll, s.codesIssue)
	page(post, "/polls/:id/tokens/void", Organizer, OnPoll, s.tokenVoid)
	page(post, "/polls/:id/tokens/replace", Organizer, OnPoll, s.tokenReplace)
	page(post, "/polls/:id/tokens/paper", Organizer, OnPoll, s.tokenPaper)
	page(get, "/polls/:id/paper", Counter, OnPoll, s.paperPage, i18n.N("录入纸质选票"))
	page(post, "/polls/:id/paper", Counter, OnPoll, s.paperSubmit, i18n.N("录入纸质选票"))
	page(post, "/polls/:id/paper/discard", Organizer, OnPoll, s.paperDiscard)
	page(post, "/polls/:id/reopen", Organizer, OnPoll, s.onPage(s.reopenPoll, i18n.N("已重新开放投票。")))
	page(post, "/polls/:id/expected", Organizer, OnPoll, s.groupExpected)
	page(post, "/polls/:id/schedule", Organizer, OnPoll, s.pollSchedule)
	page(post, "/polls/:id/year", Organizer, OnPoll, s.pollYear)
	page(post, "/polls/:id/contact", Organizer, OnPoll, s.pollContact)
	page(post, "/polls/:id/batches/:batch/void", Organizer, OnPoll, s.batchVoid)
	page(get, "/polls/:id/tally", Staff, OnPoll, s.tallyPage)
	page(get, "/polls/:id/bundle.json", Staff, OnPoll, s.bundleDownload)
	page(get, "/polls/:id/tally.xlsx", Staff, OnPoll, s.tallyXLSXDownload)
	page(get, "/polls/:id/tally.pdf", Staff, OnPoll, s.tallyPDFDownload)
	page(get, "/polls/:id/tally.zip", Staff, OnPoll, s.tallyZIP)
	page(get, "/polls/:id/next-round", Organizer, OnPoll, s.pollNextRound)
	page(post, "/polls/:id/file", Organizer, OnPoll, s.pollFile)
	page(get, "/cadres", Staff, Unscoped, s.cadresPage)
	page(post, "/cadres", Organizer, Unscoped, s.cadresAdd, i18n.N("维护干部名册"))
	page(get, "/cadres/:id", Staff, OnCadre, s.cadrePage)
	page(post, "/records/:id/link", Organizer, OnEntry, s.entryLink, i18n.N("关联干部"))
	page(get, "/records", Staff, Unscoped, s.recordsPage)
	page(get, "/selections", Staff, Unscoped, s.selectionsPage)
	page(post, "/selections", Organizer, Unscoped, s.selectionCreate, i18n.N("新建纪实"))
	page(get, "/selections/:id", Staff, OnSelection, s.selectionPage)
	page(post, "/selections/:id/steps", Organizer, OnSelection, s.selectionStepAdd, i18n.N("记录纪实"))
	page(get, "/selections/:id/export.pdf", Staff, OnSelection, s.selectionExport)
	page(get, "/selections/:id/export.xlsx", Staff, OnSelection, s.selectionExport)
	page(get, "/account", Staff, Unscoped, s.accountPage)
	page(post, "/account/password", Staff, Unscoped, s.accountPassword)
	page(post, "/account/api-token", Staff, Unscoped, s.accountAPIToken)
	page(get, "/admin/units", Admin, Unscoped, s.unitsPage)
	page(post, "/admin/units", Admin, Unscoped, s.unitCreate)
	page(get, "/admin/staff", Admin, Unscoped, s.staffPage)
	page(get, "/admin/deliveries", Admin, Unscoped, s.deliveriesPage)
	page(post, "/admin/receivers", Admin, Unscoped, s.receiverAdd)
	page(post, "/admin/deliveries/:id/retry", Admin, Unscoped, s.deliveryRetry)
	page(post, "/admin/staff", Admin, Unscoped, s.staffCreate)

	// The JSON API (docs/API.md): everything the organizer's pages do, for scripts. Staff
	// authenticate with a bearer token from POST /api/v1/sessions.
	api(post, "/sessions", Public, Unscoped, s.apiLogin)
	api(get, "/ballot/:token", VoterLink, Unscoped, s.apiBallot)
	api(post, "/ballot/:token", VoterLink, Unscoped, s.apiCast)
	api(del, "/sessions", Staff, Unscoped, s.apiLogout)
	api(get, "/me", Staff, Unscoped, s.apiMe)
	api(get, "/units", Staff, Unscoped, s.apiUnits)
	api(post, "/units", Admin, Unscoped, s.apiUnitCreate)
	api(get, "/staff", Admin, Unscoped, s.apiStaff)
	api(post, "/staff", Admin, Unscoped, s.apiStaffCreate)
	api(get, "/polls", Staff, Unscoped, s.apiPolls)
	api(post, "/polls", Organizer, Unscoped, s.apiPollCreate, i18n.N("新建投票活动"))
	api(get, "/polls/:id", Staff, OnPoll, s.apiPoll)
	api(del, "/polls/:id", Organizer, OnPoll, s.apiPollDelete)
	api(post, "/polls/:id/open", Organizer, OnPoll, s.apiPollOpen)
	api(post, "/polls/:id/ceremony", Organizer, OnPoll, s.apiCeremonyStart)
	api(get, "/polls/:id/ceremony", Staff, OnPoll, s.ceremonyStatus)
	api(post, "/polls/:id/close", Organizer, OnPoll, s.onAPI(s.closePoll))
	api(post, "/polls/:id/count", Counter, OnPoll, s.apiPollCount, i18n.N("计票"))
	api(get, "/polls/:id/count", Staff, OnPoll, s.countStatusHandler)
	api(get, "/polls/:id/turnout", Staff, OnPoll, s.apiTurnout)
	api(post, "/polls/:id/reopen", Organizer, OnPoll, s.onAPI(s.reopenPoll))
	api(post, "/polls/:id/groups/:group/expected", Organizer, OnPoll, s.apiExpected)
	api(post, "/polls/:id/schedule", Organizer, OnPoll, s.apiSchedule)
	api(post, "/polls/:id/year", Organizer, OnPoll, s.apiYear)
	api(post, "/polls/:id/contact", Organizer, OnPoll, s.apiContact)
	api(post, "/polls/:id/tokens/replace", Organizer, OnPoll, s.apiReplace)
	api(post, "/polls/:id/rehearsal", Organizer, OnPoll, s.onAPI(s.startRehearsal))
	api(post, "/polls/:id/rehearsal/wipe", Organizer, OnPoll, s.onAPI(s.wipeRehearsal))
	api(post, "/polls/:id/tokens", Organizer, OnPoll, s.apiTokensIssue)
	api(post, "/polls/:id/codes", Organizer, OnPoll, s.apiCodesIssue)
	api(post, "/polls/:id/tokens/void", Organizer, OnPoll, s.apiTokenVoid)
	api(get, "/polls/:id/batches", Staff, OnPoll, s.apiBatches)
	api(post, "/polls/:id/batches/:batch/void", Organizer, OnPoll, s.apiBatchVoid)
	api(get, "/polls/:id/tally", Staff, OnPoll, s.apiTally)
	api(get, "/polls/:id/bundle", Staff, OnPoll, s.bundleDownload)
	api(post, "/polls/:id/tokens/paper", Organizer, OnPoll, s.apiMarkPaper)
	api(post, "/polls/:id/screen", Organizer, OnPoll, s.apiScreen)
	api(post, "/polls/:id/file", Organizer, OnPoll, s.apiFile)
	api(get, "/polls/:id/entries", Staff, OnPoll, s.apiPollEntries)
	api(get, "/cadres", Staff, Unscoped, s.apiCadres)
	api(post, "/cadres", Organizer, Unscoped, s.apiCadresAdd, i18n.N("维护干部名册"))
	api(get, "/cadres/:id", Staff, OnCadre, s.apiCadre)
	api(post, "/entries/:id/link", Organizer, OnEntry, s.apiEntryLink, i18n.N("关联干部"))
	api(get, "/selections", Staff, Unscoped, s.apiSelections)
	api(post, "/selections", Organizer, Unscoped, s.apiSelectionCreate, i18n.N("新建纪实"))
	api(get, "/selections/:id", Staff, OnSelection, s.apiSelection)
	api(post, "/selections/:id/steps", Organizer, OnSelection, s.apiSelectionStep, i18n.N("记录纪实"))
	return rs
}
