package ballot

import (
	"fmt"

	"minyi/i18n"
)

// Who holds a poll's key. The box can only be opened with it, so this is the one setting
// that decides who can learn a result: a quorum of tellers, the organizer's own device, or
// (only where it was chosen for an informal survey) the server.

// The key holders a poll may name.
const (
	KeyTellers   = "tellers"   // 监票人: their devices make the key, TellerQuorum of them open the box
	KeyOrganizer = "organizer" // 组织者本人的设备: a ceremony of one seat, the organizer's
	KeyServer    = "server"    // 服务器保管: drawn and kept by the server, informal surveys only
)

// OrganizerSeat is how the organizer's one seat of the key ceremony is named, where a
// teller's name would stand.
const OrganizerSeat = "组织者"

// Holder is who holds the poll's key: the setting, or, where none is set, the tellers if
// any are listed and the organizer's own device otherwise.
func (p *Poll) Holder() string {
	switch {
	case p.KeyHolder != "":
		return p.KeyHolder
	case len(p.Tellers) > 0:
		return KeyTellers
	}
	return KeyOrganizer
}

// ServerHeld reports whether the server draws and keeps the poll's key.
func (p *Poll) ServerHeld() bool { return p.Holder() == KeyServer }

// KeySeats names the seats of the poll's key ceremony: the tellers, or the organizer's one
// seat; none when the server holds the key.
func (p *Poll) KeySeats() []string {
	switch p.Holder() {
	case KeyTellers:
		return p.Tellers
	case KeyOrganizer:
		return []string{OrganizerSeat}
	}
	return nil
}

// KeyQuorum is how many seats open the box together.
func (p *Poll) KeyQuorum() int {
	if p.Holder() == KeyTellers {
		return p.TellerQuorum
	}
	return 1
}

// KeyNote is the one sentence that says who holds the key, as the voter page and every
// document print it.
func (p *Poll) KeyNote() string {
	format, args := p.KeyNoteFormat()
	return fmt.Sprintf(format, args...)
}

// KeyNoteFormat is the KeyNote as a message format and its arguments, so that a page in
// another language can say it.
func (p *Poll) KeyNoteFormat() (string, []any) {
	switch p.Holder() {
	case KeyTellers:
		return tellersNote, []any{len(p.Tellers), p.TellerQuorum}
	case KeyServer:
		return serverNote, nil
	}
	return organizerNote, nil
}

const (
	tellersNote   = "需%d名监票人中的%d名共同开箱"
	organizerNote = "密钥由组织者本人的设备保管"
	serverNote    = "本次由服务器保管密钥"
)

// KeyNotes are the formats KeyNoteFormat gives.
var KeyNotes = []string{tellersNote, organizerNote, serverNote}

// Tellers are the tellers whose shares opened the box: none when the organizer's own
// device (its one seat) or the server held the key.
func (t *Tally) Tellers() []string {
	if t.KeyNote == organizerNote {
		return nil
	}
	return t.OpenedBy
}

// KeyText is who held the key of a counted poll, for its documents: the tally's note, or
// for a tally made before polls named their key holder, the server when no teller
// opened the box (such polls had the server's key), nothing otherwise (the tellers who
// opened it are named apart).
func (t *Tally) KeyText() string {
	if t.KeyNote != "" {
		return t.KeyNote
	}
	if len(t.OpenedBy) == 0 {
		return serverNote
	}
	return ""
}

// KeyHolderLabel is the holder as the builder offers it.
func KeyHolderLabel(h string) string {
	switch h {
	case KeyTellers:
		return i18n.N("监票人")
	case KeyServer:
		return i18n.N("服务器保管（仅限非正式问卷调查）")
	}
	return i18n.N("组织者本人的设备")
}

// checkKeyHolder checks the setting agrees with the tellers. Polls opened without tellers
// before the setting existed were given the server's key whatever their forms, and read
// back as such; checkKeyChoice holds new polls to the stricter rule.
func (p *Poll) checkKeyHolder() error {
	switch p.KeyHolder {
	case "", KeyOrganizer, KeyTellers, KeyServer:
	default:
		return Errorf(EINVALID, "密钥保管方式“%s”无效，应为监票人、组织者本人的设备或服务器保管", p.KeyHolder)
	}
	switch p.Holder() {
	case KeyTellers:
		if len(p.Tellers) == 0 {
			return Errorf(EINVALID, "由监票人保管密钥时，请填写监票人姓名")
		}
	case KeyOrganizer:
		if len(p.Tellers) > 0 {
			return Errorf(EINVALID, "密钥由组织者本人的设备保管时不设监票人；设了监票人的，请选择由监票人保管密钥")
		}
	case KeyServer:
		if len(p.Tellers) > 0 {
			return Errorf(EINVALID, "设了监票人的投票活动不能由服务器保管密钥")
		}
	}
	return nil
}

// ValidateNew is Validate for a poll being made: besides, a server-held key lets whoever
// runs the server read every ballot, so it is a choice the organizer makes, and only for
// a poll of surveys alone; a vote on people is never counted with it. And a poll whose
// count could not be decrypted at one go, with its 应到 all voting, is not made.
func (p *Poll) ValidateNew() error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := p.CheckCountSize(p.Expected()); err != nil {
		return err
	}
	if p.Holder() == KeyServer {
		for _, f := range p.Forms {
			if f.Kind != KindSurvey {
				return Errorf(EINVALID, "服务器保管密钥仅限非正式的问卷调查：“%s”是%s表，请改由组织者本人的设备或监票人保管密钥", f.Title, f.Kind.Label())
			}
		}
	}
	return nil
}
