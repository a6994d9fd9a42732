/* SPDX-License-Identifier: MIT */
/*
 * jsonin.h - jansson (for reading JSON) together with tool.h.  Both
 * jansson and json.h (the streaming writer) name a function json_null();
 * here json.h's is declared as json_w_null so the two headers can meet in
 * one file.  Include this first, before tool.h or json.h; such files use
 * jansson's json_null() and none of the writer's null.
 */
#ifndef BK_JSONIN_H
#define BK_JSONIN_H

#if defined(BK_TOOL_H) || defined(BK_JSON_H)
#error "include jsonin.h before tool.h and json.h"
#endif

#define json_null json_w_null
#include "tool.h"
#undef json_null
#include <jansson.h>

#endif
