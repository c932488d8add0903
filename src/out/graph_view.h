/* SPDX-License-Identifier: GPL-2.0 */
/* Views of the objects alive now in a graph (see graph_view.c). */
#ifndef IT_GRAPH_VIEW_H
#define IT_GRAPH_VIEW_H

#include <stdio.h>
#include "model/graph.h"

enum graph_format { GRAPH_TREE, GRAPH_DOT, GRAPH_JSON };
/* m: how VM names and cgroup paths of the contexts' owners are shown */
int graph_print(struct graph *g, FILE *out, enum graph_format fmt, enum owner_mode m);

#endif
