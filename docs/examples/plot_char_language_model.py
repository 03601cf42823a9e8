"""
A character-level language model, offline
=========================================

The char-RNN demos train an LSTM to predict the next character of a text, then let it write:
sampling at a low temperature gives safe, repetitive text, a high temperature inventive and
misspelt text. Here the text is one the project generates itself, the 300 sentences from
Elman's (1990) templates shipped with cogrnn (``data/corpora/elman_sentences.txt``, "boy
smash woman", "mouse break bread", ...), spelled letter by letter with an end-of-sentence
token; give :class:`~cogrnn.tasks.TextCorpus` any text file of your own (one sentence per
line) instead. The first 250 sentences train one LSTM of 64 units (full backpropagation
through each sentence, Adam, softmax cross-entropy); the last 50 are held out. Small sizes:
about 15 s of CPU time on one core.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

import cogrnn
from cogrnn.analysis.generation import generate, next_token_fn
from cogrnn.analysis.likelihood import token_surprisal
from cogrnn.io import data_path
from cogrnn.tasks import EOS, TextCorpus, read_text_lines
from cogrnn.training import Trainer

torch.set_num_threads(1)  # networks this small run fastest on one thread
lines = [text for _, text in read_text_lines(data_path("corpora/elman_sentences.txt"))]  # or your own file
task = TextCorpus(lines[:250], unit="char", layout="sentences")
train = task.generate()
vocab = task.vocabulary_
print(len(vocab), "characters:", "".join(t if len(t) == 1 else f"[{t}]" for t in vocab.tokens))

net = cogrnn.make_model("lstm", input_size=len(vocab), hidden_size=64, output_size=len(vocab),
                        output_activation="softmax", random_state=0)  # fmt: skip
trainer = Trainer(method="bptt", loss="cross_entropy", optimizer="adam", lr=0.01, epochs=40, batch_size=25,
                  clip_grad_norm=5.0, quiet=True)  # fmt: skip
trainer.fit(net, train.inputs, train.targets, mask=train.descriptors["scored"], random_state=0)
bits = trainer.history_["loss"] / np.log(2)  # the loss is the mean cross-entropy (nats) per character
print(f"training loss: {bits.iloc[0]:.2f} bits per character in the first pass, {bits.iloc[-1]:.2f} in the last")

# %%
# Held-out sentences: the surprisal of every character (bits), with the vocabulary of training.
test = TextCorpus(lines[250:], unit="char", layout="sentences", vocabulary=vocab).generate()
surprisal = token_surprisal(net, test)
print(f"held-out: {surprisal['surprisal'].mean():.2f} bits per character")
first = surprisal.groupby(["sentence", "word_index"]).cumcount() == 0  # the first character of each word
print(surprisal.assign(first_letter=first).groupby("first_letter")["surprisal"].mean().round(2))

# %%
# Samples from the start of a sentence, at three temperatures, then the most probable sentences by
# beam search. A sentence ends at the end-of-sentence token; ``log_prob`` is its log-probability
# under the model.
step, state = next_token_fn(net)
eos = vocab.index(EOS)
words = {w for line in lines for w in line.split()}


def text(tokens):
    return "".join(t for t in task.decode(tokens) if t != EOS)


for temperature in (0.5, 1.0, 1.5):
    samples = generate(step, state, eos, 60, strategy="sample", temperature=temperature, n_samples=20,
                       random_state=0, stop=eos)  # fmt: skip
    sentences = [text(s["tokens"]) for s in samples]
    real = np.mean([w in words for s in sentences for w in s.split()])
    print(f"temperature {temperature}: {real:.0%} of the words are words of the corpus; e.g. {sentences[:3]}")
for best in generate(step, state, eos, 60, strategy="beam", beam_width=5, stop=eos)[:3]:
    print(f"beam: {text(best['tokens'])!r} (log_prob {best['log_prob']:.2f})")

# %%
# Left: the learning curve. Right: the surprisal of each character of two held-out sentences;
# as in Elman's (1990) letter-prediction network, it peaks at the first letter of a word and
# falls within it.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [1, 2]})
ax1.plot(trainer.history_["epoch"], bits)
ax1.set(xlabel="pass through the training sentences", ylabel="bits per character", title="Training")
shown = surprisal[surprisal["sentence"].isin(sorted(surprisal["sentence"].unique())[:2])]
ax2.bar(np.arange(len(shown)), shown["surprisal"], color=np.where(first[shown.index], "C3", "C0"))
ax2.set_xticks(np.arange(len(shown)), [{" ": "_", EOS: "#"}.get(t, t) for t in shown["next_token"]])
ax2.set(ylabel="surprisal (bits)", title="Held-out sentences (red: a word's first letter; #: end)")
fig.tight_layout()
plt.show()
