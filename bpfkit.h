/* SPDX-License-Identifier: MIT */
/*
 * bpfkit.h - umbrella header: every public bpfkit library header.
 * Link with `pkg-config --libs bpfkit`.
 */
#ifndef BPFKIT_H
#define BPFKIT_H

#include "uapi.h"
#if __has_include("verify.h")
#include "verify.h"
#endif
#if __has_include("vm.h")
#include "vm.h"
#endif
#if __has_include("jit.h")
#include "jit.h"
#endif

#endif
