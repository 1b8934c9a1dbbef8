package quality

import (
	"encoding/binary"
	"errors"
	"slices"
)

// FingerprintVersion changes whenever Fingerprint would give different
// values for the same text. Store it next to stored fingerprints and
// recompute them (or drop them) when it changes.
const FingerprintVersion = 1

// shingleWords is how many consecutive words make one shingle. Three words
// tell a reworded sentence from a copied one while a changed date or
// number only touches the three shingles around it.
const shingleWords = 3

// Fingerprint returns the set of hashed word shingles of text, sorted and
// without duplicates. Case, ё/е, punctuation, emoji, links, hashtags and
// mentions do not matter, so a post re-sent with a new emoji or hashtag is
// still recognised. The result does not depend on the rule file, so it can
// be stored once when a post is published. Empty for a text without words.
func Fingerprint(text string) []uint64 {
	a := analyse(text)
	return fingerprint(&a.words)
}

func fingerprint(ws *words) []uint64 {
	if len(ws.toks) == 0 {
		return nil
	}
	hs := make([]uint64, len(ws.toks))
	for i := range ws.toks {
		hs[i] = ws.toks[i].hash // fnv64(ws.word(i)), made by tokenize
	}
	k := min(shingleWords, len(hs))
	out := make([]uint64, 0, len(hs)-k+1)
	for i := 0; i+k <= len(hs); i++ {
		h := uint64(k)
		for _, w := range hs[i : i+k] {
			h = mix(h*0x9E3779B97F4A7C15 ^ w)
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// fnv64 is FNV-1a, written out so the fingerprint is stable and free of
// allocations.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finaliser: it spreads the bits of the combined
// word hashes so the order of words matters.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

// Similarity returns the Jaccard similarity of two fingerprints, from 0
// (nothing in common) to 1 (the same words in the same order). Both must
// be sorted and free of duplicates, as Fingerprint returns them.
func Similarity(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := intersect(a, b)
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func intersect(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// similarPercent returns the similarity in whole percent, or -1 without
// comparing when the sizes alone rule out reaching threshold percent:
// Jaccard can never exceed the ratio of the smaller set to the larger.
func similarPercent(a, b []uint64, threshold int) int {
	if len(a) == 0 || len(b) == 0 {
		return -1
	}
	lo, hi := min(len(a), len(b)), max(len(a), len(b))
	if lo*100 < threshold*hi {
		return -1
	}
	inter := intersect(a, b)
	return inter * 100 / (len(a) + len(b) - inter)
}

// EncodeFingerprint packs a fingerprint for storage: the differences of
// the sorted values as unsigned varints, a few bytes per word.
func EncodeFingerprint(fp []uint64) []byte {
	out := make([]byte, 0, len(fp)*9)
	var prev uint64
	for _, v := range fp {
		out = binary.AppendUvarint(out, v-prev)
		prev = v
	}
	return out
}

// DecodeFingerprint reverses EncodeFingerprint.
func DecodeFingerprint(data []byte) ([]uint64, error) {
	var out []uint64
	var prev uint64
	for len(data) > 0 {
		d, n := binary.Uvarint(data)
		if n <= 0 {
			return nil, errors.New("quality: corrupt fingerprint")
		}
		prev += d
		out = append(out, prev)
		data = data[n:]
	}
	return out, nil
}

// checkRepeat reports the most similar recent post if it is similar enough.
// The fragment quotes the beginning of the draft.
func (c *Checker) checkRepeat(a *analysis, fp []uint64, recent []Published, add func(Finding)) {
	best, ref := -1, ""
	for _, p := range recent {
		other := p.Fingerprint
		if other == nil && p.Text != "" {
			other = Fingerprint(p.Text)
		}
		if s := similarPercent(fp, other, c.lim.RepeatPercent); s > best {
			best, ref = s, p.Ref
		}
	}
	if best < c.lim.RepeatPercent || best < 0 || len(a.words.toks) == 0 {
		return
	}
	f := c.at(a, RuleRepeat, span{int(a.words.toks[0].start), len(a.text)})
	f.Count, f.Limit, f.Ref = best, c.lim.RepeatPercent, ref
	add(f)
}
