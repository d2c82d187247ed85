package inspections

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Algorithm names the draw procedure below. A stored draw keeps the name, so
// a later change of procedure gets a new name and old draws still verify.
const Algorithm = "sp-draw-v1"

// Conflict is a declared conflict of interest: the inspector (a user id)
// must not be assigned to the entity.
type Conflict struct {
	InspectorID int64 `json:"inspector_id"`
	EntityID    int64 `json:"entity_id"`
}

// DrawInput is everything a draw depends on. With the same input RunDraw
// gives the same result on any machine.
type DrawInput struct {
	// Seed is the hex text of the random bytes the draw was made from.
	Seed string
	// EntityPool and InspectorPool are the eligible ids, ascending.
	EntityPool    []int64
	InspectorPool []int64
	Conflicts     []Conflict
	EntityCount   int
	PerEntity     int
}

// Assignment is one drawn entity and the inspectors drawn for it, in draw order.
type Assignment struct {
	EntityID   int64   `json:"entity_id"`
	Inspectors []int64 `json:"inspectors"`
}

// DrawError is a draw that cannot be made from its pools: too few entities,
// or too few inspectors without a conflict for one entity. Field names the
// plan's field that would have to change.
type DrawError struct {
	Field, Message string
}

func (e *DrawError) Error() string { return e.Field + ": " + e.Message }

// NewSeed returns 32 bytes from the operating system's random source as hex.
func NewSeed() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("inspections: seed: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// stream is the deterministic generator of sp-draw-v1: the k-th 64-bit
// number (k = 0, 1, 2, …) is the first eight bytes, big-endian, of
// SHA-256(seed bytes ‖ k as eight bytes big-endian).
type stream struct {
	seed    []byte
	counter uint64
}

func (s *stream) next() uint64 {
	buf := make([]byte, len(s.seed)+8)
	copy(buf, s.seed)
	binary.BigEndian.PutUint64(buf[len(s.seed):], s.counter)
	s.counter++
	sum := sha256.Sum256(buf)
	return binary.BigEndian.Uint64(sum[:8])
}

// below returns a uniform integer in [0, n) by rejection: numbers above the
// largest multiple of n that fits in 64 bits are thrown away and the next
// one taken, so no remainder is favoured.
func (s *stream) below(n int) int {
	if n <= 1 {
		return 0
	}
	un := uint64(n)
	limit := ^uint64(0) - (^uint64(0)%un+1)%un // the largest accepted value
	for {
		if v := s.next(); v <= limit {
			return int(v % un)
		}
	}
}

// pick chooses k of list by a partial Fisher–Yates shuffle: for i = 0 … k-1
// swap element i with element i + below(len-i); the first k are the choice,
// in draw order. list is not changed.
func (s *stream) pick(list []int64, k int) []int64 {
	work := append([]int64(nil), list...)
	for i := 0; i < k; i++ {
		j := i + s.below(len(work)-i)
		work[i], work[j] = work[j], work[i]
	}
	return work[:k]
}

// RunDraw makes the 双随机 draw of sp-draw-v1 from in:
//
//  1. the entities: pick EntityCount of EntityPool (ascending ids);
//  2. for each drawn entity in draw order, the inspectors: the inspector
//     pool (ascending ids) without those who declared a conflict with that
//     entity, and pick PerEntity of them, the stream continuing.
//
// A conflicted inspector is never among the candidates of that entity, so a
// draw cannot assign them there; when too few remain the draw is refused.
func RunDraw(in DrawInput) ([]Assignment, error) {
	seed, err := hex.DecodeString(in.Seed)
	if err != nil || len(seed) == 0 {
		return nil, &DrawError{Field: "seed", Message: "随机种子应为十六进制文本"}
	}
	if !ascending(in.EntityPool) || !ascending(in.InspectorPool) {
		return nil, &DrawError{Field: "pool", Message: "名录库应按编号升序且无重复"}
	}
	if in.EntityCount < 1 || in.EntityCount > len(in.EntityPool) {
		return nil, &DrawError{Field: "entity_count",
			Message: fmt.Sprintf("抽取对象数量应在1至%d之间（符合计划范围的在册单位共%d家）", len(in.EntityPool), len(in.EntityPool))}
	}
	if in.PerEntity < 2 {
		return nil, &DrawError{Field: "inspectors_per_entity", Message: "每个检查对象至少随机选派2名执法人员"}
	}
	conflicted := map[Conflict]bool{}
	for _, c := range in.Conflicts {
		conflicted[c] = true
	}
	s := &stream{seed: seed}
	out := []Assignment{}
	for _, entity := range s.pick(in.EntityPool, in.EntityCount) {
		var candidates []int64
		for _, id := range in.InspectorPool {
			if !conflicted[Conflict{InspectorID: id, EntityID: entity}] {
				candidates = append(candidates, id)
			}
		}
		if len(candidates) < in.PerEntity {
			return nil, &DrawError{Field: "inspectors_per_entity", Message: fmt.Sprintf(
				"单位（编号%d）排除申报回避的人员后仅有%d名执法人员可选，少于每个对象%d名", entity, len(candidates), in.PerEntity)}
		}
		out = append(out, Assignment{EntityID: entity, Inspectors: s.pick(candidates, in.PerEntity)})
	}
	return out, nil
}

func ascending(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}

// joinIDs writes ids as "1,2,3".
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// splitIDs reads "1,2,3"; "" is no ids.
func splitIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("inspections: bad id list %q", s)
		}
		out = append(out, id)
	}
	return out, nil
}

// joinConflicts writes conflicts as "inspector:entity" pairs, sorted.
func joinConflicts(list []Conflict) string {
	parts := make([]string, len(list))
	for i, c := range list {
		parts[i] = strconv.FormatInt(c.InspectorID, 10) + ":" + strconv.FormatInt(c.EntityID, 10)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// splitConflicts reads what joinConflicts wrote.
func splitConflicts(s string) ([]Conflict, error) {
	if s == "" {
		return nil, nil
	}
	var out []Conflict
	for _, p := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(p, ":")
		i, err1 := strconv.ParseInt(a, 10, 64)
		e, err2 := strconv.ParseInt(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("inspections: bad conflict list %q", s)
		}
		out = append(out, Conflict{InspectorID: i, EntityID: e})
	}
	return out, nil
}
