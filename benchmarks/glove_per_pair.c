/* Stanford GloVe's training loop for one thread, re-written from its description: per-pair AdaGrad
   in double precision, gradient clipping at 100, pairs in the fixed order of the input files (shuffled
   once by the driver, benchmarks/glove_per_pair.py).  A reference for wordnet_lm's mini-batch
   trainer, not part of the package.  Two bias rules: BIAS_ETA 0 = the current glove.c (vector
   gradients clipped, then scaled by eta; the bias step fdiff / sqrt(G), G += fdiff^2, NOT scaled by
   eta), 1 = glove.c 1.2 (fdiff scaled by eta before everything, biases included).
   usage: glove_per_pair PREFIX V NNZ DIM EPOCHS XMAX ALPHA ETA SEED BIAS_ETA
          (PREFIX.rows/.cols int32, .vals float64); writes PREFIX.W and PREFIX.Wt (float64, V x DIM) */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
static void *readall(const char *path, size_t bytes) {
    FILE *f = fopen(path, "rb"); void *p = malloc(bytes);
    if (!f || fread(p, 1, bytes, f) != bytes) { fprintf(stderr, "read %s\n", path); exit(1); }
    fclose(f); return p;
}
int main(int argc, char **argv) {
    char path[4096]; const char *pre = argv[1];
    long V = atol(argv[2]), nnz = atol(argv[3]); int D = atoi(argv[4]), epochs = atoi(argv[5]);
    double x_max = atof(argv[6]), alpha = atof(argv[7]), eta = atof(argv[8]); srand(atoi(argv[9]));
    int bias_eta = argc > 10 ? atoi(argv[10]) : 0;
    double clip = 100.0;
    sprintf(path, "%s.rows", pre); int *rows = readall(path, nnz * 4);
    sprintf(path, "%s.cols", pre); int *cols = readall(path, nnz * 4);
    sprintf(path, "%s.vals", pre); double *vals = readall(path, nnz * 8);
    long S = D + 1;
    double *W = malloc(2 * V * S * sizeof(double)), *G = malloc(2 * V * S * sizeof(double));
    double *u1 = malloc(D * sizeof(double)), *u2 = malloc(D * sizeof(double));
    for (long k = 0; k < 2 * V * S; k++) { W[k] = (rand() / (double)RAND_MAX - 0.5) / D; G[k] = 1.0; }
    for (int e = 0; e < epochs; e++) {
        double cost = 0;
        for (long k = 0; k < nnz; k++) {
            long l1 = rows[k] * S, l2 = (cols[k] + V) * S;
            double diff = 0;
            for (int b = 0; b < D; b++) diff += W[b + l1] * W[b + l2];
            diff += W[D + l1] + W[D + l2] - log(vals[k]);
            double fdiff = vals[k] > x_max ? diff : pow(vals[k] / x_max, alpha) * diff;
            cost += 0.5 * fdiff * diff;
            double scale = eta;
            if (bias_eta) { fdiff *= eta; scale = 1.0; }
            for (int b = 0; b < D; b++) {
                double t1 = fmin(fmax(fdiff * W[b + l2], -clip), clip) * scale;
                double t2 = fmin(fmax(fdiff * W[b + l1], -clip), clip) * scale;
                u1[b] = t1 / sqrt(G[b + l1]); u2[b] = t2 / sqrt(G[b + l2]);
                G[b + l1] += t1 * t1; G[b + l2] += t2 * t2;
            }
            for (int b = 0; b < D; b++) { W[b + l1] -= u1[b]; W[b + l2] -= u2[b]; }
            W[D + l1] -= fdiff / sqrt(G[D + l1]); W[D + l2] -= fdiff / sqrt(G[D + l2]);
            fdiff *= fdiff; G[D + l1] += fdiff; G[D + l2] += fdiff;
        }
        fprintf(stderr, "iter %d cost %f\n", e + 1, cost / nnz);
    }
    double *out = malloc(V * D * sizeof(double));
    for (int side = 0; side < 2; side++) {
        for (long i = 0; i < V; i++) for (int b = 0; b < D; b++) out[i * D + b] = W[(i + side * V) * S + b];
        sprintf(path, "%s.%s", pre, side ? "Wt" : "W"); FILE *f = fopen(path, "wb"); fwrite(out, 8, V * D, f); fclose(f);
    }
    return 0;
}
