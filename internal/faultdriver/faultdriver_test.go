package faultdriver

import (
	"errors"
	"testing"
)

func TestSwitchFailsTheArmedCallOnly(t *testing.T) {
	var s Switch
	for i := 0; i < 5; i++ {
		if err := s.hit(); err != nil {
			t.Fatalf("disarmed switch failed call %d", i+1)
		}
	}
	s.Arm(3)
	for i := 1; i <= 5; i++ {
		err := s.hit()
		if (i == 3) != errors.Is(err, ErrInjected) {
			t.Fatalf("call %d: err %v", i, err)
		}
	}
	if !s.Fired() {
		t.Fatal("Fired false after the armed call failed")
	}
	s.Arm(0)
	if s.Fired() || s.hit() != nil {
		t.Fatal("Arm(0) did not disarm")
	}
}
