package inspections

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func ids(from, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(from + i)
	}
	return out
}

// TestDrawReproducible: the same input gives the same draw; another seed a
// different one; every drawn entity is from the pool, once, with distinct
// inspectors from the pool.
func TestDrawReproducible(t *testing.T) {
	in := DrawInput{Seed: "00112233445566778899aabbccddeeff", EntityPool: ids(100, 30), InspectorPool: ids(1, 6),
		EntityCount: 5, PerEntity: 2}
	a, err := RunDraw(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RunDraw(in)
	if mustJSON(t, a) != mustJSON(t, b) {
		t.Fatalf("same input, different draws:\n%s\n%s", mustJSON(t, a), mustJSON(t, b))
	}
	other := in
	other.Seed = "ff112233445566778899aabbccddeeff"
	c, _ := RunDraw(other)
	if mustJSON(t, a) == mustJSON(t, c) {
		t.Errorf("two seeds gave the same draw %s", mustJSON(t, a))
	}
	seen := map[int64]bool{}
	for _, x := range a {
		if x.EntityID < 100 || x.EntityID >= 130 || seen[x.EntityID] {
			t.Errorf("entity %d drawn out of the pool or twice", x.EntityID)
		}
		seen[x.EntityID] = true
		if len(x.Inspectors) != 2 || x.Inspectors[0] == x.Inspectors[1] {
			t.Errorf("inspectors of %d: %v", x.EntityID, x.Inspectors)
		}
	}
	// The known answer was computed by a separate implementation of the
	// procedure as the README describes it (Python's hashlib), so the code
	// and the description agree; a change of the algorithm must change its
	// name.
	want := `[{"entity_id":106,"inspectors":[6,2]},{"entity_id":101,"inspectors":[3,5]},{"entity_id":124,"inspectors":[1,6]},` +
		`{"entity_id":104,"inspectors":[4,3]},{"entity_id":128,"inspectors":[3,4]}]`
	if got := mustJSON(t, a); got != want {
		t.Errorf("sp-draw-v1 of the fixed input begins %s, want %s (an algorithm change needs a new Algorithm name)", got, want)
	}
}

// TestDrawConflictsExcluded: over many seeds, an inspector who declared a
// conflict with an entity is never assigned to it, while still drawn for
// other entities; with too few inspectors left the draw is refused.
func TestDrawConflictsExcluded(t *testing.T) {
	conflicts := []Conflict{{InspectorID: 1, EntityID: 10}, {InspectorID: 2, EntityID: 10}, {InspectorID: 3, EntityID: 11}}
	drawnElsewhere := false
	for k := 0; k < 500; k++ {
		in := DrawInput{Seed: fmt.Sprintf("%064x", k+1), EntityPool: []int64{10, 11, 12}, InspectorPool: []int64{1, 2, 3, 4},
			Conflicts: conflicts, EntityCount: 3, PerEntity: 2}
		out, err := RunDraw(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out {
			for _, i := range a.Inspectors {
				for _, c := range conflicts {
					if c.InspectorID == i && c.EntityID == a.EntityID {
						t.Fatalf("seed %d: inspector %d assigned to entity %d despite the conflict", k, i, a.EntityID)
					}
				}
				if i == 1 && a.EntityID != 10 {
					drawnElsewhere = true
				}
			}
			if a.EntityID == 10 && mustJSON(t, a.Inspectors) != "[3,4]" && mustJSON(t, a.Inspectors) != "[4,3]" {
				t.Fatalf("entity 10 may only get inspectors 3 and 4, got %v", a.Inspectors)
			}
		}
	}
	if !drawnElsewhere {
		t.Errorf("inspector 1 was never drawn for an entity without a conflict")
	}
	in := DrawInput{Seed: "01", EntityPool: []int64{10}, InspectorPool: []int64{1, 2, 3}, Conflicts: conflicts,
		EntityCount: 1, PerEntity: 2}
	_, err := RunDraw(in)
	var de *DrawError
	if !errors.As(err, &de) || de.Field != "inspectors_per_entity" {
		t.Errorf("two of three inspectors conflicted, two needed: %v", err)
	}
}

func TestDrawRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    DrawInput
		field string
	}{
		{"not hex", DrawInput{Seed: "zz", EntityPool: []int64{1}, InspectorPool: []int64{1, 2}, EntityCount: 1, PerEntity: 2}, "seed"},
		{"pool not ascending", DrawInput{Seed: "01", EntityPool: []int64{2, 1}, InspectorPool: []int64{1, 2}, EntityCount: 1, PerEntity: 2}, "pool"},
		{"more entities than the pool", DrawInput{Seed: "01", EntityPool: []int64{1}, InspectorPool: []int64{1, 2}, EntityCount: 2, PerEntity: 2}, "entity_count"},
		{"one inspector", DrawInput{Seed: "01", EntityPool: []int64{1}, InspectorPool: []int64{1, 2}, EntityCount: 1, PerEntity: 1}, "inspectors_per_entity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunDraw(tc.in)
			var de *DrawError
			if !errors.As(err, &de) || de.Field != tc.field {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
}

// TestBelowUniform: the rejection sampling spreads draws evenly.
func TestBelowUniform(t *testing.T) {
	s := &stream{seed: []byte{7}}
	counts := make([]int, 3)
	for i := 0; i < 30000; i++ {
		counts[s.below(3)]++
	}
	for v, n := range counts {
		if n < 9500 || n > 10500 {
			t.Errorf("value %d drawn %d times of 30000", v, n)
		}
	}
}
