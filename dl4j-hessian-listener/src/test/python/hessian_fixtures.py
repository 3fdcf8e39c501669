#!/usr/bin/python3
"""Reference Hessians for the exact Hessian-vector products of dl4j-hessian-listener.

For a few small networks with kinks (ReLU, leaky ReLU, hard tanh, ELU, max pooling with near-ties and exact ties,
zero biases on black image regions) this script computes, with PyTorch's autograd in float64, the full Hessian of
the mean loss over a batch with respect to all parameters, and writes one JSON file per network:

  name, description, params (flat, in DL4J's order), features (+ shape), labels (+ shape), loss, gradient,
  hessian (row-major P x P), eigenvalues (ascending), trace, and notes (e.g. the pooling near-tie gap).

DL4J's flat parameter order: a dense layer is W then b, with W [nIn, nOut] in 'f' order, which is torch's
weight [out, in] flattened row-major; a convolution layer is b then W [nOut, nIn, kH, kW] in 'c' order, which is
torch's weight flattened. Flattening after a convolution is [N, C, H, W] in 'c' order, as torch.flatten.
Losses: softmax cross-entropy = mean over examples of -sum y log p; DL4J's MSE = mean over examples of the mean over
outputs of the squared error (torch's mse_loss with reduction 'mean').

Conventions at kinks: the Hessian wanted is that of the function whose gradient DL4J computes, so where DL4J's
backpropagation takes a different branch at exactly a kink than PyTorch's functional op, the activation is written
here with DL4J's branch (autograd then differentiates that branch): relu'(0) = 0 (as torch), leaky ReLU slope 1 at 0
(torch: the negative slope), ELU's positive branch at 0 (torch: the negative one), hard tanh slope 1 at exactly
-1 and 1 (torch.clamp's convention; F.hardtanh's is 0). Max pooling routes to the first maximum of a window in both.

Run (Debian): apt-get install -y python3-torch libopenblas0-pthread; /usr/bin/python3 hessian_fixtures.py OUTDIR
(Debian's interpreter: a python3 of pyenv or a venv first on the PATH does not see Debian's torch)
It is never run by the build: its output is committed under src/test/resources/hessian-fixtures.
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


class Net:
    """A network as a list of layers over a flat parameter vector in DL4J's order."""

    def __init__(self, layers, loss):
        self.layers = layers  # (kind, spec) tuples
        self.loss = loss      # 'xent' or 'mse'

    def sizes(self):
        out = []
        for kind, spec in self.layers:
            if kind == 'dense':
                n_in, n_out = spec['nIn'], spec['nOut']
                out.append(n_in * n_out + n_out)
            elif kind == 'conv':
                c_in, c_out, k = spec['cIn'], spec['cOut'], spec['k']
                out.append(c_out + c_out * c_in * k * k)
            else:
                out.append(0)
        return out

    def forward(self, theta, x):
        offset = 0
        h = x
        for (kind, spec), size in zip(self.layers, self.sizes()):
            p = theta[offset:offset + size]
            offset += size
            if kind == 'dense':
                n_in, n_out = spec['nIn'], spec['nOut']
                w = p[:n_in * n_out].reshape(n_out, n_in)
                b = p[n_in * n_out:]
                h = h.reshape(h.shape[0], -1) @ w.T + b
                h = activation(h, spec.get('act', 'identity'))
            elif kind == 'conv':
                c_in, c_out, k = spec['cIn'], spec['cOut'], spec['k']
                b = p[:c_out]
                w = p[c_out:].reshape(c_out, c_in, k, k)
                h = activation(F.conv2d(h, w, b), spec.get('act', 'identity'))
            elif kind == 'maxpool':
                h = F.max_pool2d(h, spec['k'], spec['s'])
        return h

    def mean_loss(self, theta, x, y):
        out = self.forward(theta, x)
        if self.loss == 'xent':
            return -(y * F.log_softmax(out, dim=1)).sum(dim=1).mean()
        return ((out - y) ** 2).mean()


def activation(h, name):
    if name == 'relu':
        return F.relu(h)
    if name == 'lrelu':  # DL4J: slope 1 at exactly 0
        return torch.where(h >= 0, h, 0.01 * h)
    if name == 'hardtanh':  # DL4J: slope 1 at exactly -1 and 1, as torch.clamp
        return torch.clamp(h, -1.0, 1.0)
    if name.startswith('elu'):  # DL4J: the positive branch at exactly 0
        alpha = float(name[3:])
        return torch.where(h >= 0, h, alpha * torch.expm1(torch.clamp(h, max=0.0)))
    if name == 'identity':
        return h
    raise ValueError(name)


def xavier(gen, n_in, n_out, count):
    """DL4J's XAVIER: N(0, 2 / (fanIn + fanOut))."""
    return torch.randn(count, generator=gen) * math.sqrt(2.0 / (n_in + n_out))


def uniform(gen, fan_in, count):
    """DL4J's UNIFORM (PyTorch's default for Linear): U(-1/sqrt(fanIn), 1/sqrt(fanIn))."""
    a = 1.0 / math.sqrt(fan_in)
    return (torch.rand(count, generator=gen) * 2 - 1) * a


def init_params(net, gen, init, zero_bias):
    parts = []
    for kind, spec in net.layers:
        if kind == 'dense':
            n_in, n_out = spec['nIn'], spec['nOut']
            w = xavier(gen, n_in, n_out, n_in * n_out) if init == 'xavier' else uniform(gen, n_in, n_in * n_out)
            b = torch.zeros(n_out) if zero_bias else uniform(gen, n_in, n_out)
            parts += [w, b]
        elif kind == 'conv':
            c_in, c_out, k = spec['cIn'], spec['cOut'], spec['k']
            fan_in, fan_out = c_in * k * k, c_out * k * k
            w = xavier(gen, fan_in, fan_out, c_out * fan_in) if init == 'xavier' else uniform(gen, fan_in, c_out * fan_in)
            b = torch.zeros(c_out) if zero_bias else uniform(gen, fan_in, c_out)
            parts += [b, w]
    return torch.cat(parts)


def one_hot(gen, n, classes):
    y = torch.zeros(n, classes)
    y[torch.arange(n), torch.randint(classes, (n,), generator=gen)] = 1.0
    return y


def images_with_black_border(gen, n, size, border, square=True):
    """Images in [0, 1] whose border (and optionally one 2x2 square) is exactly 0, like Fashion-MNIST's."""
    x = torch.rand(n, 1, size, size, generator=gen)
    x[:, :, :border, :] = 0
    x[:, :, -border:, :] = 0
    x[:, :, :, :border] = 0
    x[:, :, :, -border:] = 0
    if square:
        x[:, :, border + 1:border + 3, border + 1:border + 3] = 0
    return x


def write(out_dir, name, description, net, theta, x, y, notes):
    theta = theta.detach().clone()
    f = lambda t: net.mean_loss(t, x, y)
    loss = f(theta)
    grad = torch.autograd.functional.jacobian(f, theta)
    hess = torch.autograd.functional.hessian(f, theta)
    eig = torch.linalg.eigvalsh(hess)
    record = {
        'name': name,
        'description': description,
        'torch': torch.__version__,
        'params': theta.tolist(),
        'featureShape': list(x.shape),
        'features': x.flatten().tolist(),
        'labelShape': list(y.shape),
        'labels': y.flatten().tolist(),
        'loss': loss.item(),
        'gradient': grad.tolist(),
        'hessian': hess.flatten().tolist(),
        'eigenvalues': eig.tolist(),
        'trace': torch.trace(hess).item(),
        'notes': notes,
    }
    with open(f'{out_dir}/{name}.json', 'w') as fh:
        json.dump(record, fh, separators=(',', ':'))
    print(f'{name}: {theta.numel()} parameters, loss {loss.item():.6f}, trace {record["trace"]:.6g}, '
          f'eigenvalues [{eig[0].item():.4g}, {eig[-1].item():.4g}], min diagonal {hess.diagonal().min().item():.3g}')


def relu_mlp(out_dir):
    gen = torch.Generator().manual_seed(1201)
    net = Net([('dense', {'nIn': 6, 'nOut': 10, 'act': 'relu'}),
               ('dense', {'nIn': 10, 'nOut': 8, 'act': 'relu'}),
               ('dense', {'nIn': 8, 'nOut': 4})], 'xent')
    theta = init_params(net, gen, 'xavier', zero_bias=False)
    x = torch.randn(16, 6, generator=gen)
    y = one_hot(gen, 16, 4)
    write(out_dir, 'relu-mlp', 'MLP 6-10-8-4, ReLU, softmax cross-entropy, Gaussian inputs, XAVIER weights and '
          'uniform biases', net, theta, x, y, {})


def cnn_near_tie(out_dir):
    """Conv 3x3 (3 channels, ReLU) - max pool 2x2/2 - dense 12 -> 3, with a 1e-7 near-tie inside one window."""
    net = Net([('conv', {'cIn': 1, 'cOut': 3, 'k': 3, 'act': 'relu'}),
               ('maxpool', {'k': 2, 's': 2}),
               ('dense', {'nIn': 12, 'nOut': 3})], 'xent')
    for seed in range(1300, 1400):
        gen = torch.Generator().manual_seed(seed)
        theta = init_params(net, gen, 'uniform', zero_bias=False)
        x = torch.rand(4, 1, 6, 6, generator=gen)
        y = one_hot(gen, 4, 3)
        b = theta[:3]
        w = theta[3:30].reshape(3, 1, 3, 3)
        # make conv output (0, 1) of example 0, channel 0 fall 1e-7 below output (0, 0): solve for input pixel (0, 3),
        # which feeds (0, 1) through w[0, 0, 0, 2] and no other output of that pooling window
        conv = F.conv2d(x, w, b)
        target = conv[0, 0, 0, 0] - 1e-7
        rest = conv[0, 0, 0, 1] - w[0, 0, 0, 2] * x[0, 0, 0, 3]
        x[0, 0, 0, 3] = (target - rest) / w[0, 0, 0, 2]
        conv = F.conv2d(x, w, b)
        window = conv[0, 0, 0:2, 0:2].flatten()
        top2 = torch.topk(window, 2).values
        gap = (conv[0, 0, 0, 0] - conv[0, 0, 0, 1]).item()
        if 0 <= x[0, 0, 0, 3] <= 1 and top2[1] > 0 and abs(top2[0] - conv[0, 0, 0, 0]) == 0 \
                and abs(top2[1] - conv[0, 0, 0, 1]) == 0 and abs(gap - 1e-7) < 1e-9:
            write(out_dir, 'cnn-near-tie', 'conv 3x3x3 (ReLU) - max pool 2x2 stride 2 - dense 12-3, softmax '
                  'cross-entropy, 6x6 inputs in [0, 1], uniform weights and biases; in example 0, channel 0, the first '
                  'pooling window holds two positive conv outputs 1e-7 apart', net, theta, x, y,
                  {'seed': seed, 'nearTieGap': gap})
            return
    raise RuntimeError('no seed gave a clean near-tie')


def cnn_zero_bias(out_dir):
    """DL4J's default init (XAVIER weights, zero biases) on images with black regions: units exactly at the kink."""
    gen = torch.Generator().manual_seed(1401)
    net = Net([('conv', {'cIn': 1, 'cOut': 4, 'k': 3, 'act': 'relu'}),
               ('maxpool', {'k': 2, 's': 2}),
               ('dense', {'nIn': 64, 'nOut': 3})], 'xent')
    theta = init_params(net, gen, 'xavier', zero_bias=True)
    x = images_with_black_border(gen, 6, 10, 3, square=False)
    y = one_hot(gen, 6, 3)
    conv = F.conv2d(x, theta[4:40].reshape(4, 1, 3, 3))
    write(out_dir, 'cnn-zero-bias', 'conv 3x3x4 (ReLU, zero bias) - max pool 2x2 stride 2 - dense 64-3 (zero bias), '
          'softmax cross-entropy, XAVIER weights, 10x10 images whose 3-pixel border is black (so conv units on it sit '
          'exactly at the ReLU kink)', net, theta, x, y,
          {'unitsExactlyAtKink': int((conv == 0).sum().item()), 'convUnits': conv.numel()})


def lrelu_mse(out_dir):
    gen = torch.Generator().manual_seed(1501)
    net = Net([('dense', {'nIn': 5, 'nOut': 8, 'act': 'lrelu'}),
               ('dense', {'nIn': 8, 'nOut': 3})], 'mse')
    theta = init_params(net, gen, 'xavier', zero_bias=True)
    x = torch.randn(12, 5, generator=gen)
    x[:4] = 0.0  # four all-zero examples: every hidden unit exactly at the kink
    y = torch.randn(12, 3, generator=gen)
    write(out_dir, 'lrelu-mse', 'MLP 5-8-3, leaky ReLU (0.01), zero biases, MSE, Gaussian inputs with four all-zero '
          'examples (hidden units exactly at the kink), Gaussian targets', net, theta, x, y, {})


def cnn_overlap_mixed(out_dir):
    """Overlapping max pooling (3x3 stride 2), hard tanh and ELU(2), zero biases on black regions."""
    gen = torch.Generator().manual_seed(1601)
    net = Net([('conv', {'cIn': 1, 'cOut': 2, 'k': 3, 'act': 'hardtanh'}),
               ('maxpool', {'k': 3, 's': 2}),
               ('dense', {'nIn': 8, 'nOut': 5, 'act': 'elu2.0'}),
               ('dense', {'nIn': 5, 'nOut': 3})], 'xent')
    theta = init_params(net, gen, 'xavier', zero_bias=True)
    theta[2:20] *= 3.0  # conv weights large enough that some hard tanh units saturate
    x = images_with_black_border(gen, 5, 7, 1)
    y = one_hot(gen, 5, 3)
    write(out_dir, 'cnn-overlap-mixed', 'conv 3x3x2 (hard tanh, zero bias, weights x3) - max pool 3x3 stride 2 '
          '(overlapping windows) - dense 8-5 (ELU alpha 2, zero bias) - dense 5-3, softmax cross-entropy, 7x7 images '
          'with black regions', net, theta, x, y, {})


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else '.'
    relu_mlp(out)
    cnn_near_tie(out)
    cnn_zero_bias(out)
    lrelu_mse(out)
    cnn_overlap_mixed(out)
