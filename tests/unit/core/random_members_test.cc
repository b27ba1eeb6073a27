#include "core/strategies/random_members.h"

#include <gtest/gtest.h>

namespace credpool::core {
namespace {

RandomMembers members_of(std::initializer_list<std::uint32_t> positions) {
  RandomMembers set;
  set.reset(8);
  for (std::uint32_t pos : positions) set.insert(pos);
  return set;
}

TEST(RandomMembers, DrawingAheadPicksWhatOneDrawAtATimeWouldPick) {
  RandomMembers set = members_of({3, 5, 7});
  SplitMixRandom random(7);
  SplitMixRandom twin(7);
  const std::vector<std::uint32_t> order = set.members();

  for (int i = 0; i < 40; ++i) {
    SCOPED_TRACE(i);

    EXPECT_EQ(set.draw(random), order[twin.below(order.size())]);
  }
}

TEST(RandomMembers, AnErasedMemberIsNeverDrawnEvenIfItWasDrawnAhead) {
  RandomMembers set = members_of({0, 1, 2});
  SplitMixRandom random(1);
  set.draw(random);

  set.erase(1);

  for (int i = 0; i < 200; ++i) EXPECT_NE(set.draw(random), 1U);
}

TEST(RandomMembers, AnInsertedMemberCanBeDrawnAtOnce) {
  RandomMembers set = members_of({0});
  SplitMixRandom random(3);
  set.draw(random);  // the draws ahead all hold 0

  set.insert(4);

  int fours = 0;
  for (int i = 0; i < 64; ++i) fours += set.draw(random) == 4U ? 1 : 0;
  EXPECT_GT(fours, 0);
}

TEST(RandomMembers, UpcomingIsTheDrawThatComesAfterTheLookahead) {
  RandomMembers set = members_of({0, 1, 2, 3, 4, 5});
  SplitMixRandom random(11);
  set.draw(random);
  const std::uint32_t upcoming = set.upcoming();

  for (std::size_t i = 1; i < RandomMembers::kLookahead; ++i) set.draw(random);

  EXPECT_EQ(set.draw(random), upcoming);
}

}  // namespace
}  // namespace credpool::core
