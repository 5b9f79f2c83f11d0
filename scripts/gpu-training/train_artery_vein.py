"""Trains the artery/vein U-Net of main/ml/model/model.ts (depth 4, 16 filters, batch norm, transposed-convolution
upsampling) on a CUDA GPU with PyTorch, on what export-artery-vein.ts wrote: the project's own canonical frames,
colour planes and labels. Augmentation and loss follow `retina train-anatomy` (ARTERY_VEIN_CONFIG): rotation,
log-uniform scale, shear, flips, per-plane gamma/contrast/brightness; binary cross-entropy on labelled vessel pixels
(artery = 1, vein = 0). Before training it loads the exported tfjs weights and must reproduce tfjs's output on the
exported crop, so the weights it writes (flat float32, tfjs layouts, init.json's order) mean the same network there.

    python3 train_artery_vein.py --dir EXPORT_DIR --name D --out OUT/D --seconds 285 --init scratch --lr 2e-3 --seed 4
"""
import argparse, gzip, json, math, os, sys, time, copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--dir', required=True, help='what export-artery-vein.ts wrote')
p.add_argument('--name', required=True)
p.add_argument('--out', required=True)
p.add_argument('--seconds', type=float, default=400)
p.add_argument('--lr', type=float, default=1e-3)
p.add_argument('--patch', type=int, default=384)
p.add_argument('--batch', type=int, default=16)
p.add_argument('--init', default='warm')  # warm | scratch
p.add_argument('--seed', type=int, default=1)
p.add_argument('--val-every', type=int, default=200)
p.add_argument('--ema', type=float, default=0.998)
args = p.parse_args()
torch.manual_seed(args.seed)
np.random.seed(args.seed)
dev = 'cuda'
HERE = args.dir
os.makedirs(args.out, exist_ok=True)
T0 = time.time()


def log(*a):
    print(f'[{args.name} {time.time() - T0:6.1f}s]', *a, flush=True)


# ---------------- model ----------------
DEPTH, BASE, CIN = 4, 16, 3


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        L = {}

        def block(prefix, cin, f):
            L[f'{prefix}_conv1'] = nn.Conv2d(cin, f, 3, padding=1, bias=False)
            L[f'{prefix}_bn1'] = nn.BatchNorm2d(f, eps=1e-3, momentum=0.01)
            L[f'{prefix}_conv2'] = nn.Conv2d(f, f, 3, padding=1, bias=False)
            L[f'{prefix}_bn2'] = nn.BatchNorm2d(f, eps=1e-3, momentum=0.01)

        c = CIN
        for lv in range(DEPTH):
            block(f'enc{lv}', c, BASE * 2 ** lv)
            c = BASE * 2 ** lv
        block('bottleneck', c, BASE * 2 ** DEPTH)
        for lv in range(DEPTH - 1, -1, -1):
            f = BASE * 2 ** lv
            L[f'dec{lv}_upconv'] = nn.ConvTranspose2d(2 * f, f, 2, stride=2)
            block(f'dec{lv}', 2 * f, f)
        L['output_conv'] = nn.Conv2d(BASE, 1, 1)
        self.L = nn.ModuleDict(L)
        self.drop = nn.Dropout(0.2)

    def blk(self, prefix, x):
        for i in (1, 2):
            x = F.relu(self.L[f'{prefix}_bn{i}'](self.L[f'{prefix}_conv{i}'](x)))
        return x

    def forward(self, x):  # logits
        skips = []
        for lv in range(DEPTH):
            x = self.blk(f'enc{lv}', x)
            if lv == DEPTH - 1:
                x = self.drop(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.drop(self.blk('bottleneck', x))
        for lv in range(DEPTH - 1, -1, -1):
            up = self.L[f'dec{lv}_upconv'](x)
            x = self.blk(f'dec{lv}', torch.cat([up, skips[lv]], 1))
        return self.L['output_conv'](x)


SPECS = json.load(open(os.path.join(HERE, 'init.json')))


def torch_target(model, spec):
    m = model.L[spec['layer']]
    i = spec['index']
    if isinstance(m, nn.BatchNorm2d):
        return [m.weight, m.bias, m.running_mean, m.running_var][i]
    return [m.weight, m.bias][i]


def load_flat(model, flat):
    with torch.no_grad():
        for s in SPECS:
            a = flat[s['offset']:s['offset'] + s['length']].reshape(s['shape'])
            if len(s['shape']) == 4:
                a = a.transpose(3, 2, 0, 1)  # tf [kh,kw,a,b] -> torch [b,a,kh,kw] (conv and transposed conv)
            t = torch_target(model, s)
            assert tuple(t.shape) == a.shape, (s, t.shape, a.shape)
            t.copy_(torch.from_numpy(np.ascontiguousarray(a)))


def dump_flat(model):
    out = np.zeros(sum(s['length'] for s in SPECS), np.float32)
    for s in SPECS:
        t = torch_target(model, s).detach().float().cpu().numpy()
        if t.ndim == 4:
            t = t.transpose(2, 3, 1, 0)
        assert list(t.shape) == s['shape'], (s, t.shape)
        out[s['offset']:s['offset'] + s['length']] = t.reshape(-1)
    return out


model = UNet().to(dev)
init_flat = np.fromfile(os.path.join(HERE, 'init.bin'), np.float32)
# check the port against the project's tfjs output on a 256x256 crop (full fp32)
load_flat(model, init_flat)
model.eval()
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
with torch.no_grad():
    xin = np.fromfile(os.path.join(HERE, 'check_in.bin'), np.float32).reshape(256, 256, 3).transpose(2, 0, 1)
    ref = np.fromfile(os.path.join(HERE, 'check_out.bin'), np.float32).reshape(256, 256)
    got = torch.sigmoid(model(torch.from_numpy(xin.copy())[None].to(dev)))[0, 0].cpu().numpy()
diff = float(np.abs(got - ref).max())
log('port check: max |torch - tfjs| =', diff, 'mean ref', float(ref.mean()), 'mean got', float(got.mean()))
if diff > 1e-3:
    sys.exit('port check failed')
if args.init == 'scratch':
    model = UNet().to(dev)  # torch's default init
torch.backends.cudnn.allow_tf32 = True
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.benchmark = True

# ---------------- data ----------------
idx = json.load(open(os.path.join(HERE, 'data', 'index.json')))
Q, OFF = idx['quant']['scale'], idx['quant']['offset']
SZ = 560
train, val = [], []
for s in idx['samples']:
    h, w = s['height'], s['width']
    raw = np.frombuffer(gzip.open(os.path.join(HERE, 'data', s['file'])).read(), np.uint8).reshape(4, h, w)
    planes = raw[:3].astype(np.float32) / Q - OFF
    lab = raw[3].copy()
    planes[:, lab == 0] = 0
    (train if s['split'] == 'train' else val).append(dict(id=s['id'], planes=planes, lab=lab, h=h, w=w))
log('train', len(train), 'val', len(val))

N = len(train)
D = torch.zeros(N, 5, SZ, SZ)
centres = []
for k, s in enumerate(train):
    D[k, :3, :s['h'], :s['w']] = torch.from_numpy(s['planes'])
    D[k, 3, :s['h'], :s['w']] = torch.from_numpy(s['lab'].astype(np.float32))
    D[k, 4, :s['h'], :s['w']] = 1
    ys, xs = np.nonzero(s['lab'] >= 2)
    centres.append(np.stack([xs, ys], 1).astype(np.float32))
D = D.to(dev)
g = torch.Generator(device=dev)
g.manual_seed(args.seed)


def U(n, lo, hi):
    return lo + (hi - lo) * torch.rand(n, device=dev, generator=g)


def batch(B, P):
    si_np = np.random.randint(0, N, B)
    c = torch.from_numpy(np.stack([centres[i][np.random.randint(len(centres[i]))] for i in si_np])).to(dev)
    si = torch.from_numpy(si_np).to(dev)
    ang = U(B, -math.pi, math.pi)
    sc = torch.exp(U(B, math.log(0.8), math.log(1.25)))
    sh = U(B, -0.05, 0.05)
    fh = torch.where(torch.rand(B, device=dev, generator=g) < 0.5, -1.0, 1.0)
    fv = torch.where(torch.rand(B, device=dev, generator=g) < 0.5, -1.0, 1.0)
    o = torch.arange(P, device=dev, dtype=torch.float32) - (P - 1) / 2
    v, u = torch.meshgrid(o, o, indexing='ij')
    u = u[None] * fh[:, None, None]
    v = v[None] * fv[:, None, None]
    u = u + sh[:, None, None] * v
    cs, sn = torch.cos(ang)[:, None, None], torch.sin(ang)[:, None, None]
    sx = c[:, 0, None, None] + (cs * u - sn * v) / sc[:, None, None]
    sy = c[:, 1, None, None] + (sn * u + cs * v) / sc[:, None, None]
    grid = torch.stack([sx * 2 / (SZ - 1) - 1, sy * 2 / (SZ - 1) - 1], -1)
    src = D[si]
    img = F.grid_sample(src[:, :3], grid, mode='bilinear', padding_mode='zeros', align_corners=True)
    lv = F.grid_sample(src[:, 3:5], grid, mode='nearest', padding_mode='zeros', align_corners=True)
    lab, valid = lv[:, 0].round(), lv[:, 1] > 0.5
    # intensity jitter per channel on in-image pixels: gamma on the window's [min, max], contrast, brightness
    vm = valid[:, None].expand_as(img)
    big = torch.finfo(torch.float32).max
    lo = torch.where(vm, img, torch.full_like(img, big)).amin((2, 3), keepdim=True)
    hi = torch.where(vm, img, torch.full_like(img, -big)).amax((2, 3), keepdim=True)
    rng = (hi - lo).clamp_min(1e-6)
    gam = torch.exp(U(B * 3, math.log(0.75), math.log(1.33))).view(B, 3, 1, 1)
    t = ((img - lo) / rng).clamp(0, 1)
    img2 = lo + rng * t.pow(gam)
    con = U(B * 3, 0.75, 1.33).view(B, 3, 1, 1)
    bri = U(B * 3, -0.2, 0.2).view(B, 3, 1, 1)
    img2 = img2 * con + bri
    img = torch.where(vm, img2, torch.zeros_like(img2))
    y = (lab == 2).float()
    wgt = ((lab >= 2) & valid).float()
    return img, y, wgt


VAL = []
for s in val:
    h, w = s['h'], s['w']
    ph, pw = math.ceil(h / 16) * 16, math.ceil(w / 16) * 16
    x = torch.from_numpy(s['planes'])[None]
    x = F.pad(x, (0, pw - w, 0, ph - h), mode='reflect').to(dev)
    VAL.append((x, torch.from_numpy(s['lab']).to(dev), h, w))


def validate(m):
    m.eval()
    ok = tot = 0
    with torch.no_grad():
        for x, lab, h, w in VAL:
            lg = m(x)[0, 0, :h, :w]
            sel = lab >= 2
            ok += int(((lg > 0) == (lab == 2))[sel].sum())
            tot += int(sel.sum())
    m.train()
    return ok / max(1, tot)


model = model.to(memory_format=torch.channels_last)
ema = copy.deepcopy(model)
for q in ema.parameters():
    q.requires_grad_(False)
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
v0 = validate(model)
log('start val acc', v0)
best = dict(acc=v0, flat=dump_flat(model), step=0, which='init')
curve = []
step = 0
WARM = 200
t_start = time.time()
seen = 0
model.train()
while True:
    el = time.time() - t_start
    if el >= args.seconds:
        break
    prog = el / args.seconds
    lr = args.lr * min(1.0, (step + 1) / WARM) * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * prog)))
    for pg in opt.param_groups:
        pg['lr'] = lr
    x, y, wgt = batch(args.batch, args.patch)
    x = x.contiguous(memory_format=torch.channels_last)
    with torch.autocast('cuda', dtype=torch.bfloat16):
        lg = model(x)[:, 0]
    l = F.binary_cross_entropy_with_logits(lg.float(), y, reduction='none')
    loss = (l * wgt).sum() / wgt.sum().clamp_min(1)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    with torch.no_grad():
        d = min(args.ema, (1 + step) / (10 + step))
        for pe, pm in zip(ema.parameters(), model.parameters()):
            pe.lerp_(pm, 1 - d)
        for be, bm in zip(ema.buffers(), model.buffers()):
            be.copy_(bm)
    step += 1
    seen += args.batch
    if step % args.val_every == 0:
        a, ae = validate(model), validate(ema)
        curve.append(dict(step=step, seconds=time.time() - t_start, lr=lr, loss=loss.item(), val=a, valEma=ae))
        log(f'step {step} loss {loss.item():.4f} lr {lr:.2e} val {a:.4f} ema {ae:.4f} ({step / (time.time() - t_start):.1f} it/s)')
        for which, m, acc in (('model', model, a), ('ema', ema, ae)):
            if acc > best['acc']:
                best = dict(acc=acc, flat=dump_flat(m), step=step, which=which)
                best['flat'].tofile(os.path.join(args.out, 'best.bin'))
a, ae = validate(model), validate(ema)
for which, m, acc in (('model', model, a), ('ema', ema, ae)):
    if acc > best['acc']:
        best = dict(acc=acc, flat=dump_flat(m), step=step, which=which)
best['flat'].tofile(os.path.join(args.out, 'best.bin'))
summary = dict(name=args.name, args=vars(args), steps=step, patchesSeen=seen, seconds=time.time() - t_start,
               startVal=v0, finalVal=a, finalValEma=ae, best=dict(acc=best['acc'], step=best['step'], which=best['which']),
               torch=torch.__version__, gpu=torch.cuda.get_device_name(0), curve=curve)
json.dump(summary, open(os.path.join(args.out, 'summary.json'), 'w'), indent=1)
log('done', json.dumps(summary['best']), 'final', a, ae, 'steps', step)
