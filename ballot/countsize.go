package ballot

import "minyi/ballot/elgamal"

// MaxCountPoints is the most points the count of one poll decrypts. Every key holder's
// device decrypts them all in one partial decryption, proved at once, and one proof
// covers at most elgamal.MaxPartialPoints.
const MaxCountPoints = elgamal.MaxPartialPoints

// CheckCountPoints refuses a count that has more points to decrypt than one count can:
// a poll made before CheckCountSize, or over-issued since.
func CheckCountPoints(n int) error {
	if n > MaxCountPoints {
		return Errorf(ETOOBIG, "票箱中需解密 %d 项，超过一次开箱的上限 %d 项，无法开箱计票", n, MaxCountPoints)
	}
	return nil
}

// CountPoints is the most points the count of the poll can have to decrypt when its box
// holds the given number of ballots: one per cell of every result row, and one per text
// slot of every ballot, since every ballot carries all its slots, filled or empty. The
// rows are taken at their most: every group on its own row, and the pooled row beside them.
func (p *Poll) CountPoints(ballots int) int {
	rows := len(p.Groups)
	if rows > 1 {
		rows++
	}
	return rows*p.Layout().Cells + ballots*len(p.textSlots())
}

// BallotsBound is the most ballots the box of a poll can hold, with the given 应到 and
// turnout: every token issued and not voided casts at most one ballot (on a phone or on
// paper), and a poll plans for its 应到 before its tokens are out.
func BallotsBound(expected int, turnout []Turnout) int {
	issued := 0
	for _, t := range turnout {
		issued += t.Issued
	}
	return max(expected, issued)
}

// CheckCountSize refuses a poll whose count, with the given number of ballots in its box,
// would have more points to decrypt than one count can: the count would be refused at the
// end of the meeting, so the poll is refused while it can still be changed.
func (p *Poll) CheckCountSize(ballots int) error {
	n := p.CountPoints(ballots)
	if n <= MaxCountPoints {
		return nil
	}
	if slots := len(p.textSlots()); slots > 0 {
		return Errorf(ETOOBIG, "本次投票最多可有 %d 张选票，每张选票有 %d 处可填写文字（另推人选、意见建议等），开箱时需解密 %d 项，超过一次开箱的上限 %d 项。请减少可填写文字的题目或另推人数，或将本次投票拆分为几次投票活动", ballots, slots, n, MaxCountPoints)
	}
	return Errorf(ETOOBIG, "本次投票的选项过多，开箱时需解密 %d 项，超过一次开箱的上限 %d 项。请减少参评类别或选项，或将本次投票拆分为几次投票活动", n, MaxCountPoints)
}
