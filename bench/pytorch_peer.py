#!/usr/bin/env python3
"""PyTorch as a peer of rnngrad: the bench's workloads W1-W3 in torch, from rnngrad's data and initial weights.

The Node side writes one input per workload (bench/pytorch.ts): WORKLOAD.json describes the model
and names WORKLOAD.bin, the little-endian float32 arrays (x, y, then every weight in rnngrad's
order, Keras layout) back to back. Write them and run this script alone with

    node dist/bench/pytorch.js --write=/tmp/peer          # W1, W2, W3 (--only=W2 for one)
    /usr/bin/python3 bench/pytorch_peer.py /tmp/peer/W1.json /tmp/peer/W2.json --threads=1,2

Options:
    --threads=1,2        torch.set_num_threads (and OpenBLAS's own pool) for each timed run
    --max-time=SECONDS   time each operation at least this long (default 0.5, as `--quick`)
    --min-samples=N      and at least this many samples (default 5)
    --json               one JSON object on stdout: {torch, blas, results, firstLoss}; the rest on stderr
    --memory-steps=N     instead of timing: train N steps with the first --threads value and print
                         {baseRssKiB, peakRssKiB} (peak RSS, VmHWM, after loading and at the end)

The model is the one rnngrad and TF.js train: Keras LSTM / SimpleRNN layers (logistic-sigmoid
gates, tanh) then Dense at every step (W1, W3) or on the last step (W2); MSE; Adam with lr 0.001
and Keras's epsilon 1e-7. The first training step's loss, from the shared weights, must equal
rnngrad's to 1e-4, and so must the second's (after one Adam update): the check that the two
models, and the optimizers, are the same.
"""
import argparse
import ctypes
import gc
import json
import os
import resource
import statistics
import sys
import time

FIX = 'apt-get install python3-torch libopenblas0-pthread'
LOSS_TOLERANCE = 1e-4


def log(line):
    print(line, file=sys.stderr, flush=True)


try:
    import torch
except ImportError:
    log(f'pytorch_peer: {sys.executable} has no torch; install it with `{FIX}` (Debian) and use /usr/bin/python3')
    sys.exit(3)


# ---- which BLAS torch runs on -------------------------------------------------------------------

def loaded_libraries():
    """Paths of the shared libraries in this process whose names say BLAS (Linux: /proc/self/maps)."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if '/' in line}
    except OSError:
        return []
    return sorted(p for p in paths if 'blas' in os.path.basename(p).lower() or 'mkl' in os.path.basename(p).lower())


def blas_info():
    """{name, path, reference, openblas}: torch calls BLAS on its first float32 matmul, so run one first."""
    a = torch.ones(64, 64)
    _ = a @ a
    libs = loaded_libraries()
    openblas = next((p for p in libs if 'openblas' in os.path.basename(p)), None)
    if openblas:
        lib = ctypes.CDLL(openblas)
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {'name': lib.openblas_get_config().decode(), 'path': openblas, 'reference': False, 'openblas': lib}
    # Debian's netlib reference BLAS lives in .../blas/libblas.so.3; it is ~30x slower than OpenBLAS.
    reference = next((p for p in libs if os.sep + 'blas' + os.sep in p and 'libblas' in p), None)
    if reference:
        return {'name': 'reference BLAS (netlib)', 'path': reference, 'reference': True, 'openblas': None}
    config = torch.__config__.show()
    name = 'MKL' if 'mkl' in config.lower() and 'MKL not found' not in torch.__config__.parallel_info() else 'built-in'
    return {'name': name, 'path': libs[0] if libs else '(linked into torch)', 'reference': False, 'openblas': None}


def set_threads(n, blas):
    """torch's intra-op pool, and OpenBLAS's own pthread pool, which torch.set_num_threads does not reach."""
    torch.set_num_threads(n)
    if blas['openblas'] is not None:
        blas['openblas'].openblas_set_num_threads(n)


# ---- the model, from rnngrad's weights ------------------------------------------------------------

def load_input(path):
    """The workload description and its float32 arrays as tensors, by name."""
    with open(path) as f:
        spec = json.load(f)
    with open(os.path.join(os.path.dirname(path), spec['bin']), 'rb') as f:
        raw = bytearray(f.read())
    flat = torch.frombuffer(raw, dtype=torch.float32)
    arrays = {}
    for a in spec['arrays']:
        n = 1
        for d in a['shape']:
            n *= d
        arrays[a['name']] = flat[a['offset']:a['offset'] + n].reshape(a['shape']).clone()
    return spec, arrays


class Peer(torch.nn.Module):
    """The recurrent layers, then Dense at every step or on the last one (Keras returnSequences)."""

    def __init__(self, spec, arrays):
        super().__init__()
        self.return_sequences = spec['returnSequences']
        layers = []
        features = spec['features']
        weights = [arrays[w['name']] for w in spec['arrays'] if w['name'] not in ('x', 'y')]
        for units in spec['units']:
            kernel, recurrent, bias = weights[0], weights[1], weights[2]
            weights = weights[3:]
            if spec['cell'] == 'lstm':
                # Keras: kernel [F, 4u], recurrent_kernel [u, 4u], bias [4u], gates i, f, c, o.
                # torch: weight_ih [4u, F], weight_hh [4u, u], gates i, f, g, o: the same order, transposed.
                layer = torch.nn.LSTM(features, units, batch_first=True)
            else:
                layer = torch.nn.RNN(features, units, batch_first=True, nonlinearity='tanh')
            # Keras has one bias where torch has two: the second is zero, and frozen — Adam would
            # move a trainable copy too, twice the step on their sum (the second-step loss shows it).
            with torch.no_grad():
                layer.weight_ih_l0.copy_(kernel.t())
                layer.weight_hh_l0.copy_(recurrent.t())
                layer.bias_ih_l0.copy_(bias)
                layer.bias_hh_l0.zero_()
            layer.bias_hh_l0.requires_grad_(False)
            layers.append(layer)
            features = units
        self.recurrent = torch.nn.ModuleList(layers)
        kernel, bias = weights
        self.dense = torch.nn.Linear(features, spec['denseUnits'])
        with torch.no_grad():
            self.dense.weight.copy_(kernel.t())
            self.dense.bias.copy_(bias)

    def forward(self, x):
        h = x
        for layer in self.recurrent:
            h, _ = layer(h)
        return self.dense(h if self.return_sequences else h[:, -1, :])


def steps(spec, arrays):
    """A fresh model from the initial weights, and its train and forward operations."""
    model = Peer(spec, arrays)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=0.001, eps=1e-7)  # Keras's epsilon, not torch's 1e-8
    x, y = arrays['x'], arrays['y']

    def train():
        optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    def forward():
        with torch.no_grad():
            model(x)

    return train, forward


# ---- timing, as bench/harness.ts: warm-up calls for WARMUP_S (at least one) and a full GC, ------
# ---- then samples until both limits are met -------------------------------------------------

WARMUP_S = 0.25


def measure(fn, max_time, min_samples):
    warm_end = time.perf_counter() + WARMUP_S
    fn()
    while time.perf_counter() < warm_end:
        fn()
    gc.collect()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - start < max_time:
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    median = statistics.median(samples)
    # the 95 % half-width of the mean over the mean, in percent (Benchmark.js's rme, t ≈ 1.96 for large n)
    rme = 0.0
    if len(samples) > 1:
        rme = 196.0 * statistics.stdev(samples) / (len(samples) ** 0.5) / statistics.mean(samples)
    return {'medianMs': median * 1000, 'rme': rme, 'samples': len(samples)}


def run(paths, threads, max_time, min_samples, blas):
    results, first_loss = [], []
    for path in paths:
        spec, arrays = load_input(path)
        for n in threads:
            set_threads(n, blas)
            train, forward = steps(spec, arrays)
            loss = train()  # the first step, from the shared weights; also the warm-up of the train timing
            second = train()  # after one Adam update: the same optimizer too
            ours, ours_second = spec['rnngradFirstLoss'], spec['rnngradSecondLoss']
            ok = abs(loss - ours) <= LOSS_TOLERANCE and abs(second - ours_second) <= LOSS_TOLERANCE
            first_loss.append({'workload': spec['workload'], 'threads': n, 'pytorch': loss, 'rnngrad': ours,
                               'pytorchSecond': second, 'rnngradSecond': ours_second, 'ok': ok})
            log(f"  {spec['workload']} {n}T first-step loss: pytorch {loss:.7f}, rnngrad {ours:.7f} (|diff| {abs(loss - ours):.1e}); "
                f"second step: {second:.7f}, {ours_second:.7f} (|diff| {abs(second - ours_second):.1e})"
                f"{'' if ok else f': more than {LOSS_TOLERANCE} apart, NOT THE SAME MODEL'}")
            row = {'workload': spec['workload'], 'model': spec['cell'], 'engine': 'pytorch', 'backend': 'cpu', 'threads': n}
            for op, fn in (('train', train), ('forward', forward)):
                r = {**row, 'op': op, **measure(fn, max_time, min_samples)}
                log(f"  {spec['workload']} {spec['cell']} pytorch/cpu {n} thread{'s' if n > 1 else ''} {op}: "
                    f"{r['medianMs']:.3f} ms ±{r['rme']:.1f}% ({r['samples']} samples)")
                results.append(r)
    return results, first_loss


def peak_rss_kib():
    """Peak resident memory since exec, KiB: Linux's VmHWM; ru_maxrss would carry the forking parent's peak."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def memory(path, steps_to_run, threads, blas):
    """Peak resident memory of training, in KiB."""
    set_threads(threads, blas)
    spec, arrays = load_input(path)
    base = peak_rss_kib()
    train, _ = steps(spec, arrays)
    for _ in range(steps_to_run):
        train()
    return {'baseRssKiB': base, 'peakRssKiB': peak_rss_kib()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0], epilog='Details at the top of this file.')
    parser.add_argument('inputs', nargs='+', help='WORKLOAD.json files written by `node dist/bench/pytorch.js --write=DIR`')
    parser.add_argument('--threads', default='1,2')
    parser.add_argument('--max-time', type=float, default=0.5)
    parser.add_argument('--min-samples', type=int, default=5)
    parser.add_argument('--json', action='store_true')
    parser.add_argument('--memory-steps', type=int, default=0)
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(',') if t]

    blas = blas_info()
    info = {'torch': torch.__version__, 'blas': blas['name'], 'blasPath': blas['path']}
    if args.memory_steps > 0:
        print(json.dumps({**info, **memory(args.inputs[0], args.memory_steps, threads[0], blas)}), flush=True)
        return
    log(f"PyTorch {torch.__version__} ({sys.executable}): BLAS {blas['name']} ({blas['path']}), "
        f"{torch.__config__.parallel_info().splitlines()[-1].strip()}")
    if blas['reference']:
        log(f'  torch is on the reference BLAS (~30x slower matmuls): `{FIX}` installs OpenBLAS')
    results, first_loss = run(args.inputs, threads, args.max_time, args.min_samples, blas)
    if args.json:
        print(json.dumps({**info, 'results': results, 'firstLoss': first_loss}), flush=True)
    if not all(f['ok'] for f in first_loss):
        sys.exit(2)


if __name__ == '__main__':
    main()
