/*
 * main.c - pdswap-dse-mpi: pdswap-dse on the ranks of an MPI job
 * (`mpirun -np N build/pdswap-dse-mpi CONFIG [options]`, mpi/ranks.h).
 * Rank 0 runs whatever pdswap-dse would with the same arguments; for the
 * main job the other ranks share its work, for any other command they
 * only wait to be told to quit.
 */
#include <mpi.h>
#include <stdio.h>

#include "cli/cmd.h"
#include "mpi/ranks.h"

int main(int argc, char **argv)
{
	int provided = 0, rank = 0, world = 1;
	if (MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
		fprintf(stderr, "pdswap-dse: MPI does not start\n");
		return 1;
	}
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &world);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	if (provided < MPI_THREAD_SERIALIZED) {
		if (rank == 0)
			fprintf(stderr, "pdswap-dse: this MPI library gives thread level %d; pdswap-dse-mpi needs"
					" MPI_THREAD_SERIALIZED (%d)\n",
				provided, MPI_THREAD_SERIALIZED);
		MPI_Finalize();
		return 1;
	}
	int rc;
	if (rank == 0) {
		sweep_source src;
		ranks_source(&src, world);
		char launcher[64];
		snprintf(launcher, sizeof launcher, "mpirun -np %d", world);
		cmd_run_env env = {.src = &src, .launcher = launcher};
		rc = cmd_main(argc, argv, &env);
		fflush(stdout);
		fflush(stderr);
		if (ranks_shutdown())
			MPI_Abort(MPI_COMM_WORLD, rc ? rc : 1);
	} else {
		rc = ranks_serve();
	}
	MPI_Finalize();
	return rc;
}
