// SPDX-License-Identifier: GPL-2.0
/*
 * rdmasock: the tracepoints' definitions (rsk_trace.h), base layer, so
 * that every layer can fire them.
 */
#define CREATE_TRACE_POINTS
#include "rsk.h"

/* Out of line: the name lookup stays off every counting site. */
void rsk_event_trace(struct rsk_net *rnet, enum rsk_event ev)
{
	trace_rsk_event(rsk_event_name(ev), rnet ? rnet->net->ns.inum : 0);
}
