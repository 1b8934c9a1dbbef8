package storage_test

import (
	"context"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

func TestPagesByIDReadsThoseThatExistInOrder(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	for _, p := range []redaktor.Page{{ID: "1", Title: "Школа"}, {ID: "2", Title: "Библиотека"}} {
		if err := s.SavePage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := s.PagesByID(ctx, []string{"2", "404", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].Title != "Библиотека" || pages[1].Title != "Школа" {
		t.Errorf("pages %+v, want Библиотека then Школа", pages)
	}
	if pages, err := s.PagesByID(ctx, nil); err != nil || len(pages) != 0 {
		t.Errorf("no ids: %v %v", pages, err)
	}
}
