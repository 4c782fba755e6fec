"""PyTorch references for the optimizer solvers.

Each reference builds a float64 parameter, sets ``.grad`` and the optimizer
state (momentum buffer, square average, moments, accumulator) to the given
values, and calls ``torch.optim.<Optimizer>.step()``. Where torch has no
option for a convention (RMSProp / Adagrad with the constant inside the square
root, Adam without bias correction) the reference is the same formula written
with torch tensor operations. dlcore's momentum velocity v relates to torch's
buffer b by v = -lr * b, so those references need lr > 0.
"""

from __future__ import annotations

from typing import Any


def _t(x: Any) -> Any:
    import torch

    return torch.tensor(x, dtype=torch.float64)


def _param(theta: Any, grad: Any) -> Any:
    p = _t(theta).requires_grad_(True)
    p.grad = _t(grad)
    return p


def _same_form(value: Any, like: Any) -> Any:
    """A torch tensor as a number or list, in the form ``like`` was given."""
    return value.detach().tolist() if isinstance(like, list) else float(value.detach())


def sgd_step(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    w = _param(p["theta"], p["grad"])
    torch.optim.SGD([w], lr=p["lr"]).step()
    return {"theta": _same_form(w, p["theta"])}


def batch_gd_step(p: dict[str, Any]) -> dict[str, Any]:
    """Autograd of the batch loss sum_i g_i . theta (averaged or summed), then one SGD step."""
    import torch

    w = _t(p["theta"]).requires_grad_(True)
    grads = _t(p["grads"])
    losses = (grads * w).reshape(len(p["grads"]), -1).sum(dim=1)
    (losses.mean() if p.get("reduction", "mean") == "mean" else losses.sum()).backward()
    g = w.grad.clone()
    torch.optim.SGD([w], lr=p["lr"]).step()
    return {"theta": _same_form(w, p["theta"]), "grad": _same_form(g, p["theta"])}


def _sgd_momentum(theta: Any, grad: Any, buffer: Any, lr: float, momentum: float, nesterov: bool) -> tuple[Any, Any]:
    import torch

    w = _param(theta, grad)
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, nesterov=nesterov)
    opt.state[w]["momentum_buffer"] = buffer.clone()
    opt.step()
    return w.detach(), opt.state[w]["momentum_buffer"]


def momentum_step(p: dict[str, Any]) -> dict[str, Any]:
    lr, v = p["lr"], _t(p["velocity"])
    pytorch = p.get("convention", "sutskever") == "pytorch"
    theta, buf = _sgd_momentum(p["theta"], p["grad"], v if pytorch else -v / lr, lr, p["momentum"], False)
    velocity = buf if pytorch else -lr * buf
    return {"theta": _same_form(theta, p["theta"]), "velocity": _same_form(velocity, p["theta"])}


def nesterov_step(p: dict[str, Any]) -> dict[str, Any]:
    """torch.optim.SGD(nesterov=True) tracks the look-ahead point phi = theta + mu v of Sutskever's form."""
    lr, mu, v = p["lr"], p["momentum"], _t(p["velocity"])
    convention = p.get("convention", "sutskever")
    if convention == "pytorch":
        theta, buf = _sgd_momentum(p["theta"], p["grad"], v, lr, mu, True)
        return {"theta": _same_form(theta, p["theta"]), "velocity": _same_form(buf, p["theta"])}
    start = _t(p["theta"]) + (mu * v if convention == "sutskever" else 0)
    phi, buf = _sgd_momentum(start.tolist(), p["grad"], -v / lr, lr, mu, True)
    velocity = -lr * buf
    if convention == "bengio":
        return {"theta": _same_form(phi, p["theta"]), "velocity": _same_form(velocity, p["theta"])}
    return {
        "theta": _same_form(phi - mu * velocity, p["theta"]),
        "velocity": _same_form(velocity, p["theta"]),
        "lookahead": _same_form(start, p["theta"]),
    }


def rmsprop_step(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    if p.get("delta_inside_sqrt", True):
        theta, g, r = _t(p["theta"]), _t(p["grad"]), _t(p["r"])
        r_t = p["rho"] * r + (1 - p["rho"]) * g * g
        theta_new = theta - p["lr"] * g / torch.sqrt(r_t + p["delta"])
        return {"theta": _same_form(theta_new, p["theta"]), "r": _same_form(r_t, p["theta"])}
    w = _param(p["theta"], p["grad"])
    opt = torch.optim.RMSprop([w], lr=p["lr"], alpha=p["rho"], eps=p["delta"])
    opt.state[w] = {"step": torch.tensor(0.0), "square_avg": _t(p["r"])}
    opt.step()
    return {"theta": _same_form(w, p["theta"]), "r": _same_form(opt.state[w]["square_avg"], p["theta"])}


def _adam(theta: Any, grads: list[Any], m: Any, v: Any, t0: int, p: dict[str, Any]) -> dict[str, Any]:
    import torch

    w = _t(theta).requires_grad_(True)
    opt = torch.optim.Adam([w], lr=p["lr"], betas=(p.get("beta1", 0.9), p.get("beta2", 0.999)), eps=p.get("eps", 1e-8))
    zeros = torch.zeros_like(w)
    opt.state[w] = {"step": torch.tensor(float(t0)),
                    "exp_avg": zeros.clone() if m is None else _t(m),
                    "exp_avg_sq": zeros.clone() if v is None else _t(v)}
    thetas = []
    for g in grads:
        w.grad = _t(g)
        opt.step()
        thetas.append(_same_form(w, theta))
    state = opt.state[w]
    return {"theta": thetas[-1], "m": _same_form(state["exp_avg"], theta),
            "v": _same_form(state["exp_avg_sq"], theta), "thetas": thetas}


def _adam_no_bias_correction(theta: Any, grads: list[Any], m: Any, v: Any, p: dict[str, Any]) -> dict[str, Any]:
    import torch

    b1, b2, eps = p.get("beta1", 0.9), p.get("beta2", 0.999), p.get("eps", 1e-8)
    w = _t(theta)
    m_ = torch.zeros_like(w) if m is None else _t(m)
    v_ = torch.zeros_like(w) if v is None else _t(v)
    thetas = []
    for g in map(_t, grads):
        m_ = b1 * m_ + (1 - b1) * g
        v_ = b2 * v_ + (1 - b2) * g * g
        w = w - p["lr"] * m_ / (torch.sqrt(v_) + eps)
        thetas.append(_same_form(w, theta))
    return {"theta": thetas[-1], "m": _same_form(m_, theta), "v": _same_form(v_, theta), "thetas": thetas}


def adam_steps(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("bias_correction", True):
        return _adam(p["theta"], p["grads"], p.get("m"), p.get("v"), p.get("t0", 0), p)
    return _adam_no_bias_correction(p["theta"], p["grads"], p.get("m"), p.get("v"), p)


def adam_step(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("bias_correction", True):
        out = _adam(p["theta"], [p["grad"]], p["m"], p["v"], p["t"] - 1, p)
    else:
        out = _adam_no_bias_correction(p["theta"], [p["grad"]], p["m"], p["v"], p)
    return {k: out[k] for k in ("theta", "m", "v")}


def adagrad_step(p: dict[str, Any]) -> dict[str, Any]:
    import torch

    eps = p.get("eps", 1e-10)
    if p.get("eps_inside_sqrt", False):
        theta, g = _t(p["theta"]), _t(p["grad"])
        accum = _t(p["accum"]) + g * g
        theta_new = theta - p["lr"] * g / torch.sqrt(accum + eps)
        return {"theta": _same_form(theta_new, p["theta"]), "accum": _same_form(accum, p["theta"])}
    w = _param(p["theta"], p["grad"])
    opt = torch.optim.Adagrad([w], lr=p["lr"], eps=eps)
    opt.state[w]["sum"].copy_(_t(p["accum"]))
    opt.step()
    return {"theta": _same_form(w, p["theta"]), "accum": _same_form(opt.state[w]["sum"], p["theta"])}


def _regularized(p: dict[str, Any], penalty: str) -> dict[str, Any]:
    """Autograd of grad . theta + penalty(theta), then one SGD step."""
    import torch

    w = _t(p["theta"]).requires_grad_(True)
    reg = p["lam"] * (w.abs().sum() if penalty == "l1" else 0.5 * (w * w).sum())
    ((_t(p["grad"]) * w).sum() + reg).backward()
    g = w.grad.clone()
    torch.optim.SGD([w], lr=p["lr"]).step()
    return {"theta": _same_form(w, p["theta"]), "grad": _same_form(g, p["theta"])}


def l1_regularized_step(p: dict[str, Any]) -> dict[str, Any]:
    return _regularized(p, "l1")


def l2_regularized_step(p: dict[str, Any]) -> dict[str, Any]:
    """Also checks that (lam/2)||w||^2 is what torch.optim.SGD(weight_decay=lam) does."""
    import torch

    out = _regularized(p, "l2")
    w = _param(p["theta"], p["grad"])
    torch.optim.SGD([w], lr=p["lr"], weight_decay=p["lam"]).step()
    assert torch.allclose(w.detach(), _t(out["theta"])), "weight_decay disagrees with the lam/2 penalty"
    return out


def sigmoid_neuron_momentum_gd(p: dict[str, Any]) -> dict[str, Any]:
    """Autograd through sigmoid(w.x + b) and MSE, stepped with torch.optim.SGD(momentum=...)."""
    import torch

    lr, train_bias = p["lr"], p.get("train_bias", False)
    x, w = _t(p["x"]), _t(p["w"]).requires_grad_(True)
    b = _t(float(p.get("b", 0.0))).requires_grad_(train_bias)
    params = [w, b] if train_bias else [w]
    opt = torch.optim.SGD(params, lr=lr, momentum=p["momentum"])
    v0 = p.get("velocity")
    opt.state[w]["momentum_buffer"] = torch.zeros_like(w) if v0 is None else -_t(v0) / lr
    if train_bias:
        opt.state[b]["momentum_buffer"] = torch.zeros_like(b)
    scale = 0.5 if p.get("loss", "mse") == "half_mse" else 1.0
    losses = []
    for _ in range(p.get("k", 1)):
        opt.zero_grad()
        loss = scale * (torch.sigmoid(w @ x + b) - p["y"]) ** 2
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return {"w": w.detach().tolist(), "b": float(b.detach()),
            "velocity": (-lr * opt.state[w]["momentum_buffer"]).tolist(), "losses": losses}


REFERENCES = {
    "sgd_step": sgd_step,
    "batch_gd_step": batch_gd_step,
    "momentum_step": momentum_step,
    "nesterov_step": nesterov_step,
    "rmsprop_step": rmsprop_step,
    "adam_step": adam_step,
    "adam_steps": adam_steps,
    "adagrad_step": adagrad_step,
    "l1_regularized_step": l1_regularized_step,
    "l2_regularized_step": l2_regularized_step,
    "sigmoid_neuron_momentum_gd": sigmoid_neuron_momentum_gd,
}

SEED_004 = {"x": [2.0, 5.0], "y": 0.5, "w": [0.5, 0.2], "b": 0.1, "lr": 0.1, "momentum": 0.5, "k": 2}

CASES = [
    ("sgd_step", {"theta": 1.5, "grad": -0.4, "lr": 0.1}),
    ("sgd_step", {"theta": [0.5, -1.0, 2.0], "grad": [0.1, 0.2, -0.3], "lr": 0.05}),
    ("sgd_step", {"theta": 0.0, "grad": 3.0, "lr": 1.0}),
    ("batch_gd_step", {"theta": 1.0, "grads": [0.2, 0.4, 0.9], "lr": 0.5}),
    ("batch_gd_step", {"theta": [1.0, -2.0], "grads": [[0.1, 0.3], [0.5, -0.7]], "lr": 0.1}),
    ("batch_gd_step", {"theta": [1.0, -2.0], "grads": [[0.1, 0.3], [0.5, -0.7]], "lr": 0.1, "reduction": "sum"}),
    ("momentum_step", {"theta": 0.2, "grad": 0.5, "velocity": -0.1, "lr": 0.1, "momentum": 0.9}),
    ("momentum_step", {"theta": [1.0, -0.5], "grad": [0.3, -0.2], "velocity": [0.0, 0.05], "lr": 0.01, "momentum": 0.5}),
    ("momentum_step", {"theta": 0.2, "grad": 0.5, "velocity": 0.3, "lr": 0.1, "momentum": 0.9, "convention": "pytorch"}),
    ("momentum_step", {"theta": [1.0, 2.0], "grad": [-1.0, 0.5], "velocity": [0.2, 0.0], "lr": 0.05, "momentum": 0.99,
                       "convention": "pytorch"}),
    ("nesterov_step", {"theta": 1.0, "grad": 0.5, "velocity": -0.2, "lr": 0.1, "momentum": 0.9}),
    ("nesterov_step", {"theta": [1.0, -1.0], "grad": [0.4, -0.6], "velocity": [0.1, 0.0], "lr": 0.05, "momentum": 0.5}),
    ("nesterov_step", {"theta": 1.0, "grad": 0.5, "velocity": 0.2, "lr": 0.1, "momentum": 0.9, "convention": "pytorch"}),
    ("nesterov_step", {"theta": [0.3, 0.7], "grad": [0.2, -0.1], "velocity": [0.0, 0.4], "lr": 0.2, "momentum": 0.8,
                       "convention": "pytorch"}),
    ("nesterov_step", {"theta": 1.0, "grad": 0.5, "velocity": -0.2, "lr": 0.1, "momentum": 0.9, "convention": "bengio"}),
    ("rmsprop_step", {"theta": 1.8, "grad": 0.6, "r": 0.4, "lr": 0.1, "rho": 0.6, "delta": 1e-9}),
    ("rmsprop_step", {"theta": [0.5, -0.3], "grad": [0.2, -0.05], "r": [0.0, 0.01], "lr": 0.01, "rho": 0.9, "delta": 1e-6}),
    ("rmsprop_step", {"theta": 1.8, "grad": 0.6, "r": 0.4, "lr": 0.1, "rho": 0.6, "delta": 0.01, "delta_inside_sqrt": False}),
    ("rmsprop_step", {"theta": [0.5, -0.3], "grad": [0.2, -0.05], "r": [0.0, 0.01], "lr": 0.01, "rho": 0.99,
                      "delta": 1e-8, "delta_inside_sqrt": False}),
    ("adam_step", {"theta": 1.0, "grad": 0.5, "m": 0.0, "v": 0.0, "t": 1, "lr": 0.1}),
    ("adam_step", {"theta": [0.4, -0.2], "grad": [0.1, -0.3], "m": [0.05, -0.01], "v": [0.001, 0.02], "t": 3, "lr": 0.01,
                   "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
    ("adam_step", {"theta": 2.0, "grad": -1.0, "m": 0.2, "v": 0.5, "t": 10, "lr": 0.001}),
    ("adam_step", {"theta": 1.0, "grad": 0.5, "m": 0.1, "v": 0.2, "t": 2, "lr": 0.1, "bias_correction": False}),
    ("adam_steps", {"theta": 1.0, "grads": [0.5, -0.2, 0.1], "lr": 0.1}),
    ("adam_steps", {"theta": [1.0, -1.0], "grads": [[0.5, 0.1], [0.4, -0.3]], "m": [0.1, 0.0], "v": [0.01, 0.02], "t0": 4,
                    "lr": 0.01, "beta1": 0.5, "beta2": 0.9}),
    ("adam_steps", {"theta": 1.0, "grads": [0.5, 0.5], "lr": 0.1, "bias_correction": False}),
    ("adagrad_step", {"theta": 1.0, "grad": 0.5, "accum": 0.75, "lr": 0.1}),
    ("adagrad_step", {"theta": [1.0, -2.0], "grad": [0.3, -0.1], "accum": [0.0, 2.0], "lr": 0.5, "eps": 1e-6}),
    ("adagrad_step", {"theta": 1.0, "grad": 0.5, "accum": 0.75, "lr": 0.1, "eps": 0.01, "eps_inside_sqrt": True}),
    ("l1_regularized_step", {"theta": [0.5, -2.0, 0.0], "grad": [0.1, 0.1, -0.2], "lr": 0.1, "lam": 0.01}),
    ("l1_regularized_step", {"theta": -0.3, "grad": 0.2, "lr": 0.5, "lam": 0.1}),
    ("l1_regularized_step", {"theta": 1.0, "grad": 0.0, "lr": 0.1, "lam": 1.0}),
    ("l2_regularized_step", {"theta": 2.0, "grad": 0.5, "lr": 0.1, "lam": 0.1}),
    ("l2_regularized_step", {"theta": [0.5, -2.0, 0.0], "grad": [0.1, 0.1, -0.2], "lr": 0.1, "lam": 0.01}),
    ("l2_regularized_step", {"theta": -1.0, "grad": -0.3, "lr": 1.0, "lam": 0.5}),
    ("sigmoid_neuron_momentum_gd", SEED_004),
    ("sigmoid_neuron_momentum_gd", {**SEED_004, "loss": "half_mse"}),
    ("sigmoid_neuron_momentum_gd", {**SEED_004, "k": 4, "train_bias": True, "velocity": [0.01, -0.02]}),
    ("sigmoid_neuron_momentum_gd", {"x": [1.0, -1.0, 0.5], "y": 1.0, "w": [0.1, 0.2, -0.3], "lr": 0.5, "momentum": 0.9,
                                    "k": 3, "loss": "half_mse"}),
]
