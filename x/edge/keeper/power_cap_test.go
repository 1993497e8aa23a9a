package keeper_test

import (
	"math"
	"math/big"

	"github.com/trustedge/trustedge/x/edge/types"
)

// The default suite: 4 × 100 = 400 total, cap 3000 bps → 120 per block.

func (s *KeeperSuite) TestCapBoundary() {
	s.Require().NoError(s.setPower(s.nodes[0], 220), "120 of 400 is exactly 30%")
	s.requireBlockPowerChange(400, 120)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], 101) })
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], 99) })
}

func (s *KeeperSuite) TestCapChangesAddUpWithinBlock() {
	newNode := s.newNode("n")
	s.register(newNode, 50)                          // +50 → 50
	s.Require().NoError(s.setPower(s.nodes[0], 130)) // +30 → 80
	s.Require().NoError(s.setPower(s.nodes[1], 80))  // -20 → 100 (decreases count too)
	s.Require().NoError(s.setPower(s.nodes[0], 120)) // -10 → 110 (undoing part of a change still counts)
	s.requireBlockPowerChange(400, 110)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[2], 89) })
	s.Require().NoError(s.setPower(s.nodes[2], 90)) // -10 → 120
	s.requireBlockPowerChange(400, 120)
	// Any further change is over; a no-op is not a change.
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[3], 101) })
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.remove(newNode) })
	s.Require().NoError(s.setPower(s.nodes[3], 100))
}

func (s *KeeperSuite) TestCapRejectedChangeDoesNotUseBudget() {
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[0], 221) })
	_, _, ok := s.blockPowerChange()
	s.Require().False(ok)
	s.Require().NoError(s.setPower(s.nodes[0], 220))
}

func (s *KeeperSuite) TestCapResetsAfterEndBlocker() {
	s.Require().NoError(s.setPower(s.nodes[0], 220))
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], 101) })
	s.endBlock()

	_, _, ok := s.blockPowerChange()
	s.Require().False(ok, "EndBlocker must drop the block's accounting")
	s.Require().Empty(s.dirty(), "EndBlocker must clear the dirty set")

	// New block, new base: 520 × 30% = 156.
	s.Require().NoError(s.setPower(s.nodes[1], 256))
	s.requireBlockPowerChange(520, 156)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[2], 101) })
}

func (s *KeeperSuite) TestCapBaseIsTotalAtFirstChange() {
	// After the first change the total is 500, but the base stays 400: the
	// cap is 120, not 150.
	s.register(s.newNode("n"), 100)
	s.Require().Equal(int64(500), s.f.TotalPower(s.T()))
	s.Require().NoError(s.setPower(s.nodes[0], 120))
	s.requireBlockPowerChange(400, 120)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], 101) })
}

func (s *KeeperSuite) TestCapBaseAfterShrink() {
	// Shrinking first does not lower the base for the rest of the block.
	s.Require().NoError(s.setPower(s.nodes[0], 0)) // 100 of 400
	s.requireBlockPowerChange(400, 100)
	s.Require().NoError(s.setPower(s.nodes[1], 120)) // +20 → 120: fine against 400, not against 300
}

func (s *KeeperSuite) TestCapIgnoredInBootstrapMode() {
	s.setBootstrap(true)
	s.Require().NoError(s.setPower(s.nodes[0], 10_000))
	s.Require().NoError(s.remove(s.nodes[1]))
	s.requireBlockPowerChange(400, 9_900+100)
	// Turning bootstrap off mid-block: the budget already spent counts.
	s.setBootstrap(false)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[2], 101) })
}

func (s *KeeperSuite) TestCapMinimumBps() {
	// 1 bps of 400 is 0.04: nothing fits.
	s.setup(types.Params{MaxPowerChangeBps: 1}, 100, 100, 100, 100)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[0], 101) })
	// 1 bps of 40 000 is 4.
	s.setup(types.Params{MaxPowerChangeBps: 1}, 10_000, 10_000, 10_000, 10_000)
	s.Require().NoError(s.setPower(s.nodes[0], 10_004))
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], 10_001) })
}

// capFor is floor(base × bps / 10 000) computed with big ints.
func capFor(base int64, bps uint32) int64 {
	c := new(big.Int).Mul(big.NewInt(base), big.NewInt(int64(bps)))
	return c.Quo(c, big.NewInt(10_000)).Int64()
}

func (s *KeeperSuite) TestCapLargePowers() {
	// 3 000 nodes at MaxPower: total ≈ 3.3e15, so total × 10 000 and
	// total × 3 333 are both past MaxInt64. Naive int64 math would wrap.
	const n = 3000
	powers := make([]int64, n)
	for i := range powers {
		powers[i] = types.MaxPower
	}
	s.setup(types.Params{MaxPowerChangeBps: types.MaxPowerChangeBpsLimit}, powers...)
	total := s.f.TotalPower(s.T())
	s.Require().Equal(n*types.MaxPower, total)
	s.Require().Greater(new(big.Int).Mul(big.NewInt(total), big.NewInt(10_000)).Cmp(big.NewInt(math.MaxInt64)), 0,
		"the test must reach the overflow range")
	s.Require().Len(s.genesisUpdates, n)

	// Big moves are fine: dropping a whole node is 1/3000 of the total.
	s.Require().NoError(s.setPower(s.nodes[0], 0))
	s.Require().NoError(s.setPower(s.nodes[1], 1))
	s.requireBlockPowerChange(total, 2*types.MaxPower-1)
	s.endBlock()

	// Exact integer boundary at 1 bps: cap = floor(total' / 10 000).
	s.f.SetParams(s.T(), types.Params{MaxPowerChangeBps: 1})
	base := s.f.TotalPower(s.T())
	limit := capFor(base, 1)
	s.Require().Less(limit, types.MaxPower)
	s.Require().NoError(s.setPower(s.nodes[2], types.MaxPower-limit))
	s.requireBlockPowerChange(base, limit)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[3], types.MaxPower-1) })
	s.endBlock()

}

func (s *KeeperSuite) TestCapManyLargeMoves() {
	// At the top bps, many MaxPower-sized moves add up to exactly the cap,
	// and one more unit is refused.
	powers := make([]int64, 30)
	for i := range powers {
		powers[i] = types.MaxPower
	}
	s.setup(types.Params{MaxPowerChangeBps: types.MaxPowerChangeBpsLimit}, powers...)
	base := s.f.TotalPower(s.T())
	limit := capFor(base, types.MaxPowerChangeBpsLimit)
	moves := limit / types.MaxPower
	s.Require().Equal(int64(9), moves)
	for i := int64(0); i < moves; i++ {
		s.Require().NoError(s.setPower(s.nodes[10+i], 0), "move %d", i)
	}
	rest := limit - moves*types.MaxPower
	s.Require().NoError(s.setPower(s.nodes[0], types.MaxPower-rest))
	s.requireBlockPowerChange(base, limit)
	s.requireRejected(types.ErrPowerChangeTooLarge, func() error { return s.setPower(s.nodes[1], types.MaxPower-1) })

	updates := s.endBlock()
	s.Require().Len(updates, int(moves)+1)
}
