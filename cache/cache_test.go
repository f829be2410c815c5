package cache

import (
	"sync"
	"testing"
	"time"
)

func TestTheLeastRecentlyUsedEntryGoesFirst(t *testing.T) {
	c := New[string, int](2, 0)
	c.Put("a", 1)
	c.Put("b", 2)
	if _, ok := c.Get("a"); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	c.Put("c", 3)
	if _, ok := c.Get("b"); ok {
		t.Error("b should have been evicted")
	}
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Errorf("a = %v, %v", v, ok)
	}
	if c.Len() != 2 {
		t.Errorf("len = %d, want 2", c.Len())
	}
}

func TestEntriesExpireAfterTheirTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	c := NewWithClock[string, string](10, time.Minute, func() time.Time { return now })
	c.Put("k", "v")
	now = now.Add(59 * time.Second)
	if _, ok := c.Get("k"); !ok {
		t.Fatal("expired too early")
	}
	now = now.Add(time.Second)
	if _, ok := c.Get("k"); ok {
		t.Error("not expired after the TTL")
	}
}

func TestDeleteFuncAndPutReplacing(t *testing.T) {
	c := New[int, int](10, 0)
	for i := range 5 {
		c.Put(i, i*i)
	}
	c.Put(2, 40)
	c.DeleteFunc(func(k, v int) bool { return v%2 == 1 })
	for k, want := range map[int]bool{0: true, 1: false, 2: true, 3: false, 4: true} {
		if _, ok := c.Get(k); ok != want {
			t.Errorf("key %d present = %v, want %v", k, ok, want)
		}
	}
	c.Delete(0)
	if _, ok := c.Get(0); ok {
		t.Error("0 not deleted")
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	c := New[int, int](16, time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				c.Put((g*1000+i)%64, i)
				c.Get(i % 64)
			}
		}()
	}
	wg.Wait()
	if c.Len() > 16 {
		t.Errorf("len = %d, over the bound", c.Len())
	}
}
