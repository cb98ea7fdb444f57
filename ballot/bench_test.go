package ballot

import "testing"

// BenchmarkSeal is the per-ballot sealing cost on the submit path.
func BenchmarkSeal(b *testing.B) {
	k, _ := NewPollKey()
	p := evalPoll("张三", "李四", "王五", "赵六", "钱七")
	plain, _ := (&Ballot{Forms: vote(p, []string{"优秀"}, []string{"称职"}, []string{"称职"}, []string{"基本称职"}, []string{"优秀"}).Forms}).Encode()
	size := p.PlainSize()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal("p", k.Public, "g1", plain, size); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenAndCount opens and counts a box of 10,000 sealed five-subject ballots.
func BenchmarkOpenAndCount(b *testing.B) { benchCount(b, 10000) }

// BenchmarkCountMillion opens and counts a box of a million (each ballot its own key
// agreement, spread over the cores):
// go test -run '^$' -bench CountMillion -benchtime 1x ./ballot/
func BenchmarkCountMillion(b *testing.B) { benchCount(b, 1000000) }

func benchCount(b *testing.B, n int) {
	k, _ := NewPollKey()
	p := evalPoll("张三", "李四", "王五", "赵六", "钱七")
	p.ID = "p"
	one := vote(p, []string{"优秀"}, []string{"称职"}, nil, []string{"基本称职"}, []string{"优秀", "称职"})
	plain, _ := one.Encode()
	box := make([]SealedBallot, n)
	for i := range box {
		sealed, _ := Seal("p", k.Public, "g2", plain, p.PlainSize())
		box[i] = SealedBallot{Group: "g2", Sealed: sealed}
	}
	b.ReportAllocs()
	for b.Loop() {
		o, _ := NewOpener("p", k.Private)
		t := Count(p, []Turnout{{Group: "g2", Used: len(box)}}, o.OpenBox(box))
		if t.Rejected != 0 || t.Forms[0].Evaluation.Subjects[0].Total.Valid != len(box) {
			b.Fatalf("count went wrong: %+v", t)
		}
	}
}

// BenchmarkCountWriteIns counts 10,000 ballots of a position of 20 listed names where
// every ballot writes a name in, spelled five ways, listed or not: the names compared
// with the list and with each other.
func BenchmarkCountWriteIns(b *testing.B) {
	names := []string{"Zhang San", "Li Si", "Wang Wu", "Zhao Liu", "Qian Qi", "Sun Ba", "Zhou Jiu", "Wu Shi", "Zheng Yi", "Feng Er",
		"陈三", "褚四", "卫五", "蒋六", "沈七", "韩八", "杨九", "朱十", "秦一", "尤二"}
	p := pollWith(markForm(2, names...))
	spellings := []string{"+Mary Ann Lee", "+MaryAnnLee", "+Ｍａｒｙ Ａｎｎ Ｌｅｅ", "+ZhangSan", "+孙 八"}
	box := make([]PlainBallot, 10000)
	for i := range box {
		box[i] = cast(p, "g1", map[string][]string{"p1": {"c2", spellings[i%len(spellings)]}})
	}
	b.ReportAllocs()
	for b.Loop() {
		if t := Count(p, nil, box); t.Rejected != 0 {
			b.Fatalf("rejected %d", t.Rejected)
		}
	}
}
