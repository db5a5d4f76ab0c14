#include "sweep/sweep_mpi.h"

#include <cstdlib>
#include <stdexcept>

#ifdef HVSIM_HAVE_MPI
// The C API only: the deprecated C++ bindings do not compile warning-free.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>
#include <thread>
#endif

namespace hvsim {

#ifdef HVSIM_HAVE_MPI
namespace {

constexpr int kAsk = 1, kGive = 2;
constexpr int kNone = -1;  // asking: nothing finished yet; given: stop

// Waits for a message without spinning a core (a blocking MPI call busy-polls).
void wait_for(MPI_Request& request) {
  int done = 0;
  for (;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void worker(const std::function<void(size_t)>& run) {
  int finished = kNone;
  for (;;) {
    MPI_Send(&finished, 1, MPI_INT, 0, kAsk, MPI_COMM_WORLD);
    int pass = kNone;
    MPI_Request request;
    MPI_Irecv(&pass, 1, MPI_INT, 0, kGive, MPI_COMM_WORLD, &request);
    wait_for(request);
    if (pass == kNone) return;
    run(static_cast<size_t>(pass));
    finished = pass;
  }
}

// Answers every rank's request with the next pass. Once none is left, a rank that asks waits
// (sleeping) until every rank has asked, so none sits in MPI_Finalize, which may spin, while
// others still simulate; then all are told to stop.
void root(int ranks, const std::vector<size_t>& passes, const std::function<void(size_t)>& finished) {
  size_t next = 0;
  std::vector<int> idle;
  while (static_cast<int>(idle.size()) < ranks - 1) {
    int done = kNone;
    MPI_Status status;
    MPI_Request request;
    MPI_Irecv(&done, 1, MPI_INT, MPI_ANY_SOURCE, kAsk, MPI_COMM_WORLD, &request);
    int complete = 0;
    while (!complete) {
      MPI_Test(&request, &complete, &status);
      if (!complete) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (done != kNone) finished(static_cast<size_t>(done));
    if (next == passes.size()) {
      idle.push_back(status.MPI_SOURCE);
      continue;
    }
    int give = static_cast<int>(passes[next++]);
    MPI_Send(&give, 1, MPI_INT, status.MPI_SOURCE, kGive, MPI_COMM_WORLD);
  }
  for (int rank : idle) {
    int stop = kNone;
    MPI_Send(&stop, 1, MPI_INT, rank, kGive, MPI_COMM_WORLD);
  }
}

}  // namespace

bool launched_by_mpirun() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size && std::atoi(size) > 1;
}

bool talking_rank() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return !launched_by_mpirun() || !rank || std::atoi(rank) == 0;
}

bool mpi_dispatch(const std::vector<size_t>& passes, const std::function<void(size_t)>& run,
                  const std::function<void(size_t)>& finished) {
  MPI_Init(nullptr, nullptr);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (rank == 0)
    root(ranks, passes, finished);
  else
    worker(run);
  MPI_Finalize();
  return rank == 0;
}

#else

bool launched_by_mpirun() { return false; }

bool talking_rank() { return true; }

bool mpi_dispatch(const std::vector<size_t>&, const std::function<void(size_t)>&,
                  const std::function<void(size_t)>&) {
  throw std::logic_error("mpi_dispatch: this build has no MPI");
}

#endif

}  // namespace hvsim
