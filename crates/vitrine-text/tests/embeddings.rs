//! The embedder on the real all-MiniLM-L6-v2 files from the models dir.

use std::path::PathBuf;
use std::sync::OnceLock;

use vitrine_text::{DIMENSION, Embedder, TextError, cosine};

/// The models directory: `VITRINE_MODELS_DIR`, else where `scripts/fetch-models.sh` puts them.
fn models_dir() -> PathBuf {
    std::env::var_os("VITRINE_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(vitrine_vision::store::default_dir)
}

fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| match Embedder::load(models_dir()) {
        Ok(embedder) => embedder,
        Err(error) => panic!("cannot load the embedder: {error}"),
    })
}

fn embed(text: &str) -> Vec<f32> {
    match embedder().embed(text) {
        Ok(v) => v,
        Err(error) => panic!("cannot embed {text:?}: {error}"),
    }
}

#[test]
fn embeddings_are_unit_vectors_of_the_model_dimension() {
    for text in [
        "blur the faces",
        "",
        "a much longer request that asks for several things at once, with punctuation!",
    ] {
        let v = embed(text);
        assert_eq!(v.len(), DIMENSION);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{text:?}: norm {norm}");
    }
}

#[test]
fn identical_sentences_embed_identically() {
    let a = embed("blur the faces");
    let b = embed("blur the faces");
    assert!(cosine(&a, &b) > 0.9999);
}

#[test]
fn paraphrases_are_closer_than_unrelated_requests() {
    let blur = embed("blur the faces");
    let paraphrase = embed("pixelate everyone's face");
    let unrelated = embed("make a pdf of these pages");
    let (near, far) = (cosine(&blur, &paraphrase), cosine(&blur, &unrelated));
    assert!(near > far + 0.2, "paraphrase {near} vs unrelated {far}");
}

#[test]
fn embed_many_matches_embed_in_order() {
    let texts = ["hide patient info", "reconstruct the table in 3D"];
    let many = match embedder().embed_many(&texts) {
        Ok(v) => v,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(many.len(), 2);
    for (text, got) in texts.iter().zip(&many) {
        assert!(cosine(&embed(text), got) > 0.9999);
    }
}

#[test]
fn long_input_is_truncated_not_rejected() {
    let long = "blur the faces and hide the names ".repeat(200);
    assert_eq!(embed(&long).len(), DIMENSION);
}

#[test]
fn a_missing_model_names_the_file_and_the_fetch_command() {
    let empty = std::env::temp_dir().join("vitrine-text-no-models");
    let _ = std::fs::create_dir_all(&empty);
    let error = match Embedder::load(&empty) {
        Ok(_) => panic!("loaded from an empty dir"),
        Err(error) => error,
    };
    assert!(matches!(error, TextError::MissingFile { .. }));
    let message = error.to_string();
    assert!(message.contains("all-MiniLM-L6-v2"), "{message}");
    assert!(message.contains("scripts/fetch-models.sh"), "{message}");
}

/// Reference similarities published by sentence-transformers for this model
/// (its README quickstart: `SentenceTransformer("all-MiniLM-L6-v2")`,
/// `model.encode(sentences)`, `model.similarity(embeddings, embeddings)`,
/// printed to 4 decimals). PyTorch could not be installed here to recompute
/// them, so the published matrix is the reference.
#[test]
fn similarities_match_the_sentence_transformers_reference() {
    let sentences = [
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
    ];
    let reference = [(0, 1, 0.6660), (0, 2, 0.1046), (1, 2, 0.1411)];
    let embeddings = match embedder().embed_many(&sentences) {
        Ok(v) => v,
        Err(error) => panic!("{error}"),
    };
    for (i, j, want) in reference {
        let got = cosine(&embeddings[i], &embeddings[j]);
        // 4 printed decimals plus f32 summation-order noise
        assert!(
            (got - want).abs() < 1e-3,
            "{:?} vs {:?}: {got}, reference {want}",
            sentences[i],
            sentences[j]
        );
    }
}
