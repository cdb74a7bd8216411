/*
 * csynth.h - read a Vitis HLS csynth XML report into a hwreport.
 *
 * The report is `<top>_csynth.xml` or the summary `csynth.xml` of
 * `solution/syn/report/`, as Vivado HLS 2019.2 and Vitis HLS 2020.1 to
 * 2024.2 write it; it is parsed with libxml2.  What is read (paths under
 * the root element `profile`):
 *
 *   ReportVersion/Version                          tool_version   required
 *   UserAssignments/Part                           part           required
 *   UserAssignments/TopModelName                   top            required
 *   UserAssignments/TargetClockPeriod              target_clock_ns
 *   PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod
 *   PerformanceEstimates/SummaryOfOverallLatency   required
 *     Best-caseLatency, Average-caseLatency, Worst-caseLatency
 *     Interval-min, Interval-max; when neither is given, the dataflow
 *     throughput (DataflowPipelineThroughput) or the pipeline initiation
 *     interval (PipelineInitiationInterval) in their place
 *   AreaEstimates/Resources                        required
 *   AreaEstimates/AvailableResources
 *     LUT, FF, BRAM_18K (bram18), DSP (or DSP48E, its name up to 2019.2), URAM
 *   ModuleInformation/Module                       modules (newer versions;
 *                                                  2022.1 has them, 2020.2 not)
 *     Name, PerformanceEstimates/... and AreaEstimates/Resources as above
 *
 * A value is a number, "undef" or empty (not given: null), or a range:
 * either the text "A ~ B" or the elements <range><min>A</min><max>B</max>
 * </range>.  A range is accepted where the report may give one (an interval
 * or a dataflow throughput: min and max are its ends) and refused for a
 * single figure.  A <unit> other than "ns" for periods or "clock cycles"
 * for latencies is refused.
 *
 * Refused, with "NAME:LINE: message" (LINE from libxml2, of the element
 * concerned or of its parent when it is missing): text that is not
 * well-formed XML, a DOCTYPE (no report has one; refusing it keeps entity
 * expansion out), a root element other than `profile` (XML of another
 * tool), a missing required element, a value that is not a number.
 */
#ifndef PDS_CSYNTH_H
#define PDS_CSYNTH_H

#include <stddef.h>

#include "import/hwreport.h"

/*
 * Parse the len bytes at buf (named `name` in messages and in r->file) into
 * r (hwreport_init'ed).  Returns 0, or PDS_FAIL with the message in err.
 */
int csynth_parse(const char *name, const char *buf, size_t len, hwreport *r, char *err, size_t errlen);

#endif
