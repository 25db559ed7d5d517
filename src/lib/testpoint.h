/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Named points in the steps that must survive a kill at any instant. The
 * crash tests set FLOWTALLY_KILL_AT=NAME[:N] and the process kills itself
 * (SIGKILL, as an operator's kill -9 would) the Nth time it reaches NAME
 * (N = 1 when not given). Without the variable a point costs one branch.
 */
#ifndef FT_TESTPOINT_H
#define FT_TESTPOINT_H

void test_point(const char *name);

#endif
