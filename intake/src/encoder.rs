//! all-MiniLM-L6-v2, frozen: word-piece embeddings of OCR lines for the
//! tagger head. Loaded once per process; candle on the CPU.

use crate::error::{IntakeError, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::Path;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// Hidden size of MiniLM-L6.
pub const WIDTH: usize = 384;
/// OCR lines are short; anything longer is cut rather than slowing a batch.
const MAX_TOKENS: usize = 96;

/// One line's word pieces: byte offsets into the line (special tokens and
/// padding are `(0, 0)`) and a `[tokens, WIDTH]` embedding tensor.
pub struct EncodedLine {
    pub offsets: Vec<(usize, usize)>,
    pub embeddings: Tensor,
}

pub struct Encoder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
}

impl Encoder {
    /// Loads `model.safetensors`, `config.json` and `tokenizer.json` from
    /// `dir` (`models/cache/minilm`).
    pub fn load(dir: &Path) -> Result<Encoder> {
        let models = |reason: String| IntakeError::Models {
            path: dir.to_path_buf(),
            reason,
        };
        let config: Config = std::fs::read_to_string(dir.join("config.json"))
            .map_err(|e| models(e.to_string()))
            .and_then(|s| serde_json::from_str(&s).map_err(|e| models(e.to_string())))?;
        let mut tokenizer =
            Tokenizer::from_file(dir.join("tokenizer.json")).map_err(|e| models(e.to_string()))?;
        // The shipped tokenizer pads every input to 128 tokens: a batch only
        // needs its longest line.
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| models(e.to_string()))?;
        let device = Device::Cpu;
        let weights = dir.join("model.safetensors");
        let vb = VarBuilder::from_tensors(
            candle_core::safetensors::load(&weights, &device).map_err(|e| models(e.to_string()))?,
            DType::F32,
            &device,
        );
        let model = BertModel::load(vb, &config).map_err(|e| models(e.to_string()))?;
        Ok(Encoder {
            model,
            tokenizer,
            device,
        })
    }

    /// Embeds `lines` in one batch.
    pub fn encode(&self, lines: &[&str]) -> Result<Vec<EncodedLine>> {
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(lines.to_vec(), true)
            .map_err(IntakeError::nlp)?;
        let len = encodings.first().map_or(0, |e| e.get_ids().len());
        let ids: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_ids().to_vec())
            .collect();
        let mask: Vec<u32> = encodings
            .iter()
            .flat_map(|e| e.get_attention_mask().to_vec())
            .collect();
        let shape = (lines.len(), len);
        let ids = Tensor::from_vec(ids, shape, &self.device).map_err(IntakeError::nlp)?;
        let mask = Tensor::from_vec(mask, shape, &self.device).map_err(IntakeError::nlp)?;
        let types = ids.zeros_like().map_err(IntakeError::nlp)?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(IntakeError::nlp)?;
        encodings
            .iter()
            .enumerate()
            .map(|(i, e)| {
                Ok(EncodedLine {
                    offsets: e.get_offsets().to_vec(),
                    embeddings: hidden.get(i).map_err(IntakeError::nlp)?,
                })
            })
            .collect()
    }
}
