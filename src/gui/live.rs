//! placeholder
use crate::results::{CpuSample, MemorySample};

/// The samples of the run in progress.
#[derive(Debug, Default)]
pub struct LiveSamples {
    pub index: Option<usize>,
    pub cpu: Vec<CpuSample>,
    pub memory: Vec<MemorySample>,
}

impl LiveSamples {
    pub fn push(&mut self, index: usize, cpu: CpuSample, memory: MemorySample) {
        if self.index != Some(index) {
            *self = LiveSamples {
                index: Some(index),
                ..LiveSamples::default()
            };
        }
        self.cpu.push(cpu);
        self.memory.push(memory);
    }
}
