/*
 * cmd.h - the subcommands of pdswap-dse.  Each takes the arguments after
 * its name (argv[0] is the subcommand) and returns an exit code (util.h).
 */
#ifndef PDS_CMD_H
#define PDS_CMD_H

int cmd_run(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_emit_hls(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
