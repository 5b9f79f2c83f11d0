// Per-thread scratch memory for packing and padding. The trainer runs one worker thread per core, each calling
// the kernels serially, so a thread-local arena grown on demand is never shared and rarely reallocated.
#include <cstdlib>
#include <new>

#include "kernels.h"

namespace retina {
namespace {

struct Arena {
  float* data[kScratchSlots] = {};
  size_t size[kScratchSlots] = {};
  ~Arena() {
    for (float* p : data) std::free(p);
  }
};

thread_local Arena arena;

}  // namespace

float* scratch(int slot, size_t floats) {
  if (floats == 0) floats = 1;
  if (arena.size[slot] < floats) {
    std::free(arena.data[slot]);
    // Grow by 1.5x so a slowly increasing demand does not reallocate every call.
    size_t want = floats + floats / 2;
    size_t bytes = (want * sizeof(float) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes);
    if (!p) {
      arena.data[slot] = nullptr;
      arena.size[slot] = 0;
      throw std::bad_alloc();
    }
    arena.data[slot] = static_cast<float*>(p);
    arena.size[slot] = want;
  }
  return arena.data[slot];
}

}  // namespace retina
