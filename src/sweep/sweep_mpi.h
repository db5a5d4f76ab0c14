// Handing passes out over MPI (OpenMPI): rank 0 gives the next pass to whichever rank asks, so a
// long pass does not hold the others back; the ranks write point files themselves.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

namespace hvsim {

// True when this process is one of several ranks mpirun started and the build has MPI.
bool launched_by_mpirun();
// False on ranks other than 0 of an mpirun launch: they print nothing of their own.
bool talking_rank();

// Rank 0 hands out `passes` in order to ranks 1..N-1, telling `finished` of each pass done; the
// other ranks `run` what they are given. Returns true on rank 0. Waiting ranks sleep between
// polls rather than spin: ranks often share cores with the ones still simulating.
bool mpi_dispatch(const std::vector<size_t>& passes, const std::function<void(size_t)>& run,
                  const std::function<void(size_t)>& finished);

}  // namespace hvsim
