/*
 * main.c - pdswap-dse (cmd_main.c dispatches; dse/mpi/main.c is the MPI
 * build's entry point).
 */
#include "cli/cmd.h"

int main(int argc, char **argv)
{
	return cmd_main(argc, argv, NULL);
}
