/*
 * version.h - the tool's version.  It is stored with every run and printed
 * in every header and report.
 */
#ifndef PDS_VERSION_H
#define PDS_VERSION_H

#define PDS_VERSION "0.1.0"

#endif
