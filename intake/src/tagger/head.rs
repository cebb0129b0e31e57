//! The tagger head: a two-layer perceptron from MiniLM word-piece
//! embeddings to BIO label scores, trained in Rust with candle on the
//! synthetic corpus. The encoder stays frozen, so training only ever sees
//! embeddings computed once.

use super::labels::{Label, Span, spans_from_labels, token_labels};
use super::viterbi;
use crate::encoder::{EncodedLine, Encoder, WIDTH};
use crate::error::{IntakeError, Result};
use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::{Module, Optimizer};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::Path;

pub struct Head {
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
}

impl Head {
    pub fn load(path: &Path) -> Result<Head> {
        let models = |reason: String| IntakeError::Models {
            path: path.to_path_buf(),
            reason,
        };
        let mut t = candle_core::safetensors::load(path, &Device::Cpu)
            .map_err(|e| models(e.to_string()))?;
        let mut take = |k: &str| t.remove(k).ok_or_else(|| models(format!("no tensor {k}")));
        let head = Head {
            w1: take("w1")?,
            b1: take("b1")?,
            w2: take("w2")?,
            b2: take("b2")?,
        };
        let (labels, _) = head.w2.dims2().map_err(|e| models(e.to_string()))?;
        if labels != Label::COUNT {
            return Err(models(format!(
                "head has {labels} labels, the tagger {}",
                Label::COUNT
            )));
        }
        Ok(head)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let tensors: HashMap<String, Tensor> = [
            ("w1", &self.w1),
            ("b1", &self.b1),
            ("w2", &self.w2),
            ("b2", &self.b2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
        candle_core::safetensors::save(&tensors, path).map_err(IntakeError::nlp)
    }

    /// `[tokens, WIDTH]` embeddings to `[tokens, Label::COUNT]` log-probs.
    fn log_probs(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let h = candle_nn::Linear::new(self.w1.clone(), Some(self.b1.clone()))
            .forward(x)?
            .relu()?;
        let logits = candle_nn::Linear::new(self.w2.clone(), Some(self.b2.clone())).forward(&h)?;
        candle_nn::ops::log_softmax(&logits, D::Minus1)
    }

    /// The spans of one encoded line, decoded under the BIO constraints,
    /// with each span's mean token probability.
    pub fn tag(&self, line: &EncodedLine) -> Result<Vec<(Span, f32)>> {
        let lp = self.log_probs(&line.embeddings).map_err(IntakeError::nlp)?;
        let rows: Vec<Vec<f32>> = lp.to_vec2().map_err(IntakeError::nlp)?;
        // Special and padding tokens have no text: they are not tagged.
        let keep: Vec<usize> = (0..line.offsets.len().min(rows.len()))
            .filter(|&i| line.offsets[i].1 > line.offsets[i].0)
            .collect();
        let flat: Vec<f32> = keep.iter().flat_map(|&i| rows[i].clone()).collect();
        let labels = viterbi::decode(&flat, keep.len());
        let offsets: Vec<(usize, usize)> = keep.iter().map(|&i| line.offsets[i]).collect();
        let spans = spans_from_labels(&offsets, &labels);
        Ok(spans
            .into_iter()
            .map(|s| {
                let (sum, n) = keep
                    .iter()
                    .zip(&labels)
                    .filter(|(i, l)| {
                        let (a, b) = line.offsets[**i];
                        a >= s.start && b <= s.end && l.role() == Some(s.role)
                    })
                    .fold((0., 0), |(sum, n), (i, l)| {
                        (sum + rows[*i][l.index()].exp(), n + 1)
                    });
                (s, if n == 0 { 0. } else { sum / n as f32 })
            })
            .collect())
    }
}

/// What training did, for the record committed next to the weights.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainReport {
    pub examples: usize,
    pub train_tokens: usize,
    pub held_out_tokens: usize,
    pub epochs: usize,
    pub hidden: usize,
    pub seed: u64,
    pub final_loss: f32,
    pub held_out_token_accuracy: f32,
    /// Token accuracy over tokens whose label is not `O`.
    pub held_out_entity_token_accuracy: f32,
}

pub struct TrainOptions {
    pub hidden: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub batch: usize,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            hidden: 96,
            epochs: 12,
            learning_rate: 2e-3,
            batch: 256,
            seed: 7,
        }
    }
}

/// Token embeddings and their labels, special tokens left out.
struct TokenSet {
    x: Vec<f32>,
    y: Vec<u32>,
}

fn token_set(encoder: &Encoder, examples: &[super::corpus::Example]) -> Result<TokenSet> {
    let mut set = TokenSet {
        x: Vec::new(),
        y: Vec::new(),
    };
    for chunk in examples.chunks(64) {
        let texts: Vec<&str> = chunk.iter().map(|e| e.text.as_str()).collect();
        for (line, ex) in encoder.encode(&texts)?.iter().zip(chunk) {
            let labels = token_labels(&ex.spans, &line.offsets);
            let rows: Vec<Vec<f32>> = line.embeddings.to_vec2().map_err(IntakeError::nlp)?;
            for ((&(a, b), label), row) in line.offsets.iter().zip(&labels).zip(rows) {
                if b > a {
                    set.x.extend(row);
                    set.y.push(label.index() as u32);
                }
            }
        }
    }
    Ok(set)
}

fn init(rng: &mut StdRng, rows: usize, cols: usize) -> candle_core::Result<Var> {
    // He initialisation, from a seeded generator so that training is
    // reproducible.
    let bound = (6.0 / cols as f32).sqrt();
    let v: Vec<f32> = (0..rows * cols)
        .map(|_| rng.random_range(-bound..bound))
        .collect();
    Var::from_tensor(&Tensor::from_vec(v, (rows, cols), &Device::Cpu)?)
}

/// Trains a head on `examples`, holding a tenth out to measure it.
pub fn train(
    encoder: &Encoder,
    examples: &[super::corpus::Example],
    opts: &TrainOptions,
) -> Result<(Head, TrainReport)> {
    let split = examples.len() * 9 / 10;
    let (train_ex, test_ex) = examples.split_at(split);
    let train_set = token_set(encoder, train_ex)?;
    let test_set = token_set(encoder, test_ex)?;
    let run = || -> candle_core::Result<(Head, f32)> {
        let mut rng = StdRng::seed_from_u64(opts.seed);
        let w1 = init(&mut rng, opts.hidden, WIDTH)?;
        let b1 = Var::zeros(opts.hidden, DType::F32, &Device::Cpu)?;
        let w2 = init(&mut rng, Label::COUNT, opts.hidden)?;
        let b2 = Var::zeros(Label::COUNT, DType::F32, &Device::Cpu)?;
        let vars = vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()];
        let mut opt = candle_nn::AdamW::new(
            vars,
            candle_nn::ParamsAdamW {
                lr: opts.learning_rate,
                weight_decay: 1e-4,
                ..Default::default()
            },
        )?;
        let n = train_set.y.len();
        let x = Tensor::from_slice(&train_set.x, (n, WIDTH), &Device::Cpu)?;
        let y = Tensor::from_slice(&train_set.y, n, &Device::Cpu)?;
        let mut order: Vec<u32> = (0..n as u32).collect();
        let mut loss_value = 0.;
        for _ in 0..opts.epochs {
            order.shuffle(&mut rng);
            for batch in order.chunks(opts.batch) {
                let idx = Tensor::from_slice(batch, batch.len(), &Device::Cpu)?;
                let head = Head {
                    w1: w1.as_tensor().clone(),
                    b1: b1.as_tensor().clone(),
                    w2: w2.as_tensor().clone(),
                    b2: b2.as_tensor().clone(),
                };
                let lp = head.log_probs(&x.index_select(&idx, 0)?)?;
                let loss = candle_nn::loss::nll(&lp, &y.index_select(&idx, 0)?)?;
                opt.backward_step(&loss)?;
                loss_value = loss.to_scalar::<f32>()?;
            }
        }
        let head = Head {
            w1: w1.as_tensor().detach(),
            b1: b1.as_tensor().detach(),
            w2: w2.as_tensor().detach(),
            b2: b2.as_tensor().detach(),
        };
        Ok((head, loss_value))
    };
    let (head, final_loss) = run().map_err(IntakeError::nlp)?;
    let (acc, entity_acc) = accuracy(&head, &test_set).map_err(IntakeError::nlp)?;
    let report = TrainReport {
        examples: examples.len(),
        train_tokens: train_set.y.len(),
        held_out_tokens: test_set.y.len(),
        epochs: opts.epochs,
        hidden: opts.hidden,
        seed: opts.seed,
        final_loss,
        held_out_token_accuracy: acc,
        held_out_entity_token_accuracy: entity_acc,
    };
    Ok((head, report))
}

fn accuracy(head: &Head, set: &TokenSet) -> candle_core::Result<(f32, f32)> {
    let n = set.y.len();
    if n == 0 {
        return Ok((0., 0.));
    }
    let x = Tensor::from_slice(&set.x, (n, WIDTH), &Device::Cpu)?;
    let pred: Vec<u32> = head.log_probs(&x)?.argmax(D::Minus1)?.to_vec1()?;
    let hits = pred.iter().zip(&set.y).filter(|(p, y)| p == y).count();
    let entity: Vec<(&u32, &u32)> = pred.iter().zip(&set.y).filter(|(_, y)| **y != 0).collect();
    let entity_hits = entity.iter().filter(|(p, y)| p == y).count();
    Ok((
        hits as f32 / n as f32,
        entity_hits as f32 / entity.len().max(1) as f32,
    ))
}
