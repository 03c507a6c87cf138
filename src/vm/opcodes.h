/*
 * opcodes.h — the instruction set, listed once.
 *
 * Code is an array of 32-bit words. An instruction is one word
 * (opcode in the low 8 bits, operand A in the upper 24) followed by
 * OP_WORDS-1 operand words B, C, D... Registers are frame-relative
 * indices; K operands index the proto's constant table; L operands are
 * jump targets (failure labels), stored as the signed distance in words
 * from the L operand word itself to the target, so that a jump needs
 * nothing but pc.
 *
 * The marks say what an instruction may do to the process:
 *   MAY_GC     the collector may run (a safe point: all live values are in
 *              registers)
 *   MAY_YIELD  the process may be suspended (budget spent or blocked)
 *   MAY_EXIT   an error may be raised
 */
#ifndef LONA_OPCODES_H
#define LONA_OPCODES_H

/* The comparisons, in one order for all their variants (the compiler turns
 * one variant into another by offset). */
#define LONA_COMPARE_OPCODES(X, SUFFIX) \
    X(LT##SUFFIX, 4)                    \
    X(LE##SUFFIX, 4)                    \
    X(GT##SUFFIX, 4)                    \
    X(GE##SUFFIX, 4)                    \
    X(NUMEQ##SUFFIX, 4)

/* X(name, words) */
#define LONA_OPCODES(X)                                                              \
    X(MOVE, 2)        /* A=dst B=src */                                              \
    X(LOADK, 2)       /* A=dst B=K */                                                \
    X(LOADI, 2)       /* A=dst B=int32 */                                            \
    X(GETVAR, 2)      /* A=dst B=K(var)              MAY_EXIT (unbound) */           \
    X(GETUP, 2)       /* A=dst B=captured index */                                   \
    X(SELF, 1)        /* A=dst: the running function itself (fn* self-name) */       \
    X(CLOSURE, 4)     /* A=dst B=K(proto) C=first capture reg D=count */             \
    X(CALL, 3)        /* A=fn reg, args A+1.. B=nargs C=dst     MAY_GC MAY_YIELD MAY_EXIT */ \
    X(CALL_SELF, 3)   /* A=fn reg (set here), as CALL: the running function  MAY_GC MAY_YIELD MAY_EXIT */ \
    X(TAILCALL, 2)    /* A=fn reg B=nargs                       MAY_GC MAY_YIELD MAY_EXIT */ \
    X(TAILSELF, 3)    /* A=first arg reg B=nargs C=L(the function's start)  MAY_GC MAY_YIELD */ \
    X(RETURN, 1)      /* A=src                                  MAY_GC */                    \
    X(JUMP, 2)        /* B=L */                                                    \
    X(DEF, 3)         /* A=dst B=K(var) C=value reg or 0xffffff (no value) MAY_EXIT */ \
    X(DEFMETA, 2)     /* A=K(var) B=meta reg */                                      \
    X(MKTUPLE, 3)     /* A=dst B=first reg C=n */                                    \
    X(MKVECTOR, 3)    /* A=dst B=first reg C=n */                                    \
    X(MKMAP, 3)       /* A=dst B=first reg C=2n (k v k v ...) */                      \
    X(MKSET, 3)       /* A=dst B=first reg C=n */                                    \
    X(WITHMETA, 2)    /* A=reg (in place) B=K(meta) */                               \
    X(BADMATCH, 1)    /* A=reg                                  MAY_EXIT */          \
    /* pattern tests: jump to the L operand when the test fails */                   \
    X(T_EQK, 3)       /* A=reg B=K C=L   value = literal */                           \
    X(T_EQR, 3)       /* A=reg B=reg C=L value = value (repeated symbol) */           \
    X(T_TUPLE, 3)     /* A=reg B=n C=L   tuple of exactly n */                        \
    X(T_TUPLE_MIN, 3) /* A=reg B=n C=L   tuple of at least n */                       \
    X(T_VECTOR, 3)                                                                   \
    X(T_VECTOR_MIN, 3)                                                               \
    X(T_LIST, 3)                                                                     \
    X(T_LIST_MIN, 3)                                                                 \
    X(T_MAP, 2)       /* A=reg B=L */                                                \
    X(T_SET, 3)       /* A=reg B=n C=L   set of exactly n */                          \
    X(T_SETHAS, 3)    /* A=reg B=K C=L   literal member */                            \
    X(T_PID, 2)       /* A=reg B=L */                                                \
    X(T_TRUTHY, 2)    /* A=reg B=L   (guards) */                                      \
    X(ELEM, 3)        /* A=dst B=reg C=i   element i of tuple/vector/list */          \
    X(REST, 3)        /* A=dst B=reg C=i   list of elements from i on */              \
    X(MAPGET, 4)      /* A=dst B=reg C=K D=L  value of key (fail if absent) */        \
    X(SETREST, 4)     /* A=dst B=reg C=K(tuple of literal members) D=n  members left, into dst.. */ \
    X(PIDPART, 3)     /* A=dst B=reg C=0 realm / 1 local */                           \
    X(BINMATCH, 4)    /* A=first dst B=reg C=K(spec) D=L      MAY_EXIT */             \
    /* arithmetic with a fast path: A=dst B=x reg C=y reg D=K(var) */               \
    X(ADD, 4)                                                                        \
    X(SUB, 4)                                                                        \
    LONA_COMPARE_OPCODES(X, )                                                        \
    /* the same with B=reg C=immediate: the low 32 bits of a fixnum Value */       \
    X(ADD_I, 4)                                                                      \
    X(SUB_I, 4)                                                                      \
    LONA_COMPARE_OPCODES(X, _I)                                                      \
    /* (inc x), (dec x): A=dst B=reg C=unused D=K(var) */                         \
    X(INC, 4)                                                                        \
    X(DEC, 4)                                                                        \
    /* a comparison followed by T_TRUTHY A L (an `if`): on the fast path it    \
     * takes that branch too; otherwise it leaves it to the T_TRUTHY */              \
    LONA_COMPARE_OPCODES(X, _BR)                                                     \
    LONA_COMPARE_OPCODES(X, _I_BR)                                                   \
    /* ADD, SUB, ADD_I, SUB_I followed by RETURN A (a tail call of + or -):  \
     * on the fast path they return the result; otherwise the RETURN does */        \
    X(ADD_RET, 4)                                                                    \
    X(SUB_RET, 4)                                                                    \
    X(ADD_I_RET, 4)                                                                  \
    X(SUB_I_RET, 4)                                                                  \
    /* receive: see vm/receive.c */                                                  \
    X(RECV_START, 4)  /* A=timeout reg or NO_REG B=state reg C=first ref hint D=hints MAY_EXIT */ \
    X(RECV_NEXT, 3)   /* A=msg dst B=state reg C=L(no more messages) */               \
    X(RECV_NEXT_TAG, 4) /* as RECV_NEXT, D=K(tag filter): passes over other shapes */ \
    X(RECV_ACCEPT, 1) /* A=state reg */                                              \
    X(RECV_SKIP, 1)   /* A=state reg */                                              \
    X(RECV_WAIT, 2)   /* A=state reg B=L(rescan); falls through on timeout MAY_YIELD */ \
    X(HALT, 0)

typedef enum {
#define X(name, words) OP_##name,
    LONA_OPCODES(X)
#undef X
    OP__COUNT
} Opcode;

extern const unsigned char op_words[OP__COUNT];
extern const char *const op_names[OP__COUNT];

#define NO_REG 0xffffffu
/* The immediates of arithmetic instructions: small integers (31-bit). */
#define OPND_IMM_MIN (-(1 << 30))
#define OPND_IMM_MAX ((1 << 30) - 1)

/* Variants of an arithmetic opcode: with an immediate second operand
 * (ADD -> ADD_I), and, for a comparison, with the branch fused (LT -> LT_BR,
 * LT_I -> LT_I_BR). */
#define OP_IMM_OF(op) ((Opcode)((op) - OP_ADD + OP_ADD_I))
#define OP_IS_COMPARE(op) (((op) >= OP_LT && (op) <= OP_NUMEQ) || ((op) >= OP_LT_I && (op) <= OP_NUMEQ_I))
#define OP_BRANCH_OF(op) \
    ((Opcode)((op) >= OP_LT_I ? (op) - OP_LT_I + OP_LT_I_BR : (op) - OP_LT + OP_LT_BR))
_Static_assert(OP_NUMEQ_I - OP_ADD_I == OP_NUMEQ - OP_ADD, "immediate variants in order");
/* The arithmetic instructions (all of them, A=dst B C D=K(var)), and those
 * whose C is an immediate. */
#define OP_IS_ARITH(op) ((op) >= OP_ADD && (op) <= OP_SUB_I_RET)
#define OP_HAS_IMM(op)                                                                          \
    (((op) >= OP_ADD_I && (op) <= OP_NUMEQ_I) || ((op) >= OP_LT_I_BR && (op) <= OP_NUMEQ_I_BR) || \
     (op) == OP_ADD_I_RET || (op) == OP_SUB_I_RET)
_Static_assert(OP_SUB_I_RET + 1 == OP_RECV_START, "arithmetic instructions in one range");

#endif
