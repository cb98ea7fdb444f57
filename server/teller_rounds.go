package server

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/i18n"
)

// tellerPost is what a device posts in any round; each round reads its own fields.
type tellerPost struct {
	CommKey     string `json:"comm_key"`
	Commitments string `json:"commitments"`
	Sealed      string `json:"sealed"`
	Dealer      int    `json:"dealer"`
	Transcript  string `json:"transcript"`
	Proof       string `json:"proof"`
}

func unhexField(s, what string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, ballot.Errorf(ballot.EINVALID, "%s格式不对", what)
	}
	return b, nil
}

// tellerRound runs one round's post of a seat under the ceremony's lock; ballot/ceremony
// holds the round's rules.
func (s *Server) tellerRound(round func(in tellerPost, seat int, cer *ceremony.State) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, seat, err := s.seat(c)
		if err != nil {
			return err
		}
		if p.State != ballot.Draft {
			return ballot.Errorf(ballot.ECONFLICT, "投票已经开始，密钥生成已结束")
		}
		var in tellerPost
		if err := json.Unmarshal(c.Body(), &in); err != nil {
			return ballot.Errorf(ballot.EINVALID, "提交的内容格式不对")
		}
		err = s.store.UpdateSeat(c.UserContext(), p.ID, seat, func(cer *ceremony.State) error { return round(in, seat, cer) })
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"ok": true})
	}
}

func roundKey(in tellerPost, seat int, cer *ceremony.State) error {
	key, err := unhexField(in.CommKey, i18n.N("通信公钥"))
	if err != nil {
		return err
	}
	return cer.PostKey(seat, key)
}

func roundDeal(in tellerPost, seat int, cer *ceremony.State) error {
	commitments, err := unhexField(in.Commitments, i18n.N("承诺值"))
	if err != nil {
		return err
	}
	var sealed []byte
	if cer.N > 1 {
		if sealed, err = unhexField(in.Sealed, i18n.N("加密份额")); err != nil {
			return err
		}
	}
	return cer.PostDealing(seat, commitments, sealed)
}

func roundComplain(in tellerPost, seat int, cer *ceremony.State) error {
	return cer.Complain(seat, in.Dealer)
}

func roundReady(in tellerPost, seat int, cer *ceremony.State) error {
	transcript, err := unhexField(in.Transcript, i18n.N("核对码"))
	if err != nil {
		return err
	}
	proof, err := unhexField(in.Proof, i18n.N("份额证明"))
	if err != nil {
		return err
	}
	return cer.Prove(seat, transcript, proof, time.Now())
}
